package main

import (
	"bytes"
	"fmt"

	"github.com/sceau/sceau/bake"
)

func runBake(e *env, args []string) (int, error) {
	fs := newFlags(e, "bake", "--image IMG CREDENTIAL")
	image := fs.String("image", "", "PNG or SVG image to bake the credential into")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return exitUsage, err
	}
	if *image == "" || len(pos) != 1 {
		return exitUsage, fmt.Errorf("%w: bake takes --image IMG and one CREDENTIAL", errUsage)
	}
	img, err := readInput(e, *image)
	if err != nil {
		return exitInvalid, err
	}
	cred, err := readInput(e, pos[0])
	if err != nil {
		return exitInvalid, err
	}
	// A credential file ends with a newline that is not part of it.
	baked, err := bake.Bake(img, bytes.TrimSpace(cred), bake.FormatOB3)
	if err != nil {
		return exitInvalid, fmt.Errorf("bake %s: %w", *image, err)
	}
	_, err = e.stdout.Write(baked)
	return exitOK, err
}

func runUnbake(e *env, args []string) (int, error) {
	fs := newFlags(e, "unbake", "IMG")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return exitUsage, err
	}
	if len(pos) != 1 {
		return exitUsage, fmt.Errorf("%w: unbake takes one IMG", errUsage)
	}
	img, err := readInput(e, pos[0])
	if err != nil {
		return exitInvalid, err
	}
	b, err := bake.Unbake(img)
	if err != nil {
		return exitInvalid, fmt.Errorf("unbake %s: %w", pos[0], err)
	}
	if _, err := e.stdout.Write(b.Payload); err != nil {
		return exitInvalid, err
	}
	fmt.Fprintln(e.stdout)
	return exitOK, nil
}
