package pdfproof

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg" // badge images may be JPEG too
	"image/png"
)

// Image limits. Badge images are a few hundred pixels wide; anything far larger is either a
// mistake or an attempt to make the server allocate (a 20-byte PNG header can announce
// 2^31 × 2^31 pixels), so the header is checked before any pixel is decoded.
const (
	maxImageBytes  = 8 << 20
	maxImageSide   = 4096
	maxImagePixels = 4096 * 4096 / 2
	// printSide is the largest side kept: the image is printed about 38 mm wide, and
	// 450 px over 38 mm is 300 dpi.
	printSide = 450
)

// errNoImage reports why a badge image is left out. Render never fails because of the
// image: the proof is still useful without it.
var errNoImage = errors.New("badge image not usable")

// prepareImage decodes a PNG or JPEG badge image within bounds, drops anything that is not
// pixels (a baked credential in an iTXt chunk, colour profiles), scales it down to print
// resolution and re-encodes it as an 8-bit PNG, a form fpdf always accepts (it rejects
// interlaced and 16-bit PNGs). SVG is not supported: fpdf cannot draw it, and rasterising
// SVG would need a renderer this project does not carry.
func prepareImage(data []byte) ([]byte, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: empty", errNoImage)
	}
	if len(data) > maxImageBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", errNoImage, len(data), maxImageBytes)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errNoImage, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxImageSide || cfg.Height > maxImageSide ||
		cfg.Width*cfg.Height > maxImagePixels {
		return nil, fmt.Errorf("%w: %s %dx%d exceeds %dx%d", errNoImage, format, cfg.Width, cfg.Height,
			maxImageSide, maxImageSide)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errNoImage, err)
	}
	small := shrink(img, printSide)
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, small); err != nil {
		return nil, fmt.Errorf("%w: re-encode: %v", errNoImage, err)
	}
	return buf.Bytes(), nil
}

// shrink returns img as NRGBA with its longest side at most max pixels, averaging each
// source box (a box filter: enough for a downscale, and the standard library has no other).
func shrink(img image.Image, max int) *image.NRGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= max && h <= max {
		dst := image.NewNRGBA(image.Rect(0, 0, w, h))
		draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Src)
		return dst
	}
	nw, nh := max, max
	if w > h {
		nh = max * h / w
	} else {
		nw = max * w / h
	}
	nw, nh = atLeast1(nw), atLeast1(nh)
	// Premultiplied sums so transparent pixels do not bleed their colour into the edges.
	dst := image.NewNRGBA(image.Rect(0, 0, nw, nh))
	for y := 0; y < nh; y++ {
		y0, y1 := b.Min.Y+y*h/nh, b.Min.Y+(y+1)*h/nh
		if y1 == y0 {
			y1 = y0 + 1
		}
		for x := 0; x < nw; x++ {
			x0, x1 := b.Min.X+x*w/nw, b.Min.X+(x+1)*w/nw
			if x1 == x0 {
				x1 = x0 + 1
			}
			var r, g, bl, a, n uint64
			for sy := y0; sy < y1; sy++ {
				for sx := x0; sx < x1; sx++ {
					cr, cg, cb, ca := img.At(sx, sy).RGBA()
					r, g, bl, a = r+uint64(cr), g+uint64(cg), bl+uint64(cb), a+uint64(ca)
					n++
				}
			}
			c := color.RGBA64{R: uint16(r / n), G: uint16(g / n), B: uint16(bl / n), A: uint16(a / n)}
			dst.Set(x, y, c)
		}
	}
	return dst
}

func atLeast1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}
