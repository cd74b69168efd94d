package fetch

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// Send sends one request under the same rules as Get (https only unless
// allow-listed, checked addresses, one deadline) with the caller's
// headers (an Authorization, say) and returns the answer whatever its
// status, its body read up to maxBytes (Options.MaxBytes when 0): an
// OAuth endpoint answers its errors as JSON bodies with 400 or 401, which
// the caller reads. Redirects are not followed (a 3xx is returned), so
// credentials in the headers never reach another URL. Nothing is cached.
// Errors match ErrBadURL, ErrScheme, ErrBlocked, ErrTimeout or
// ErrTooLarge.
func (c *Client) Send(ctx context.Context, method, rawURL, contentType string, body []byte, headers http.Header, maxBytes int64) (*Response, error) {
	u, err := c.checkURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", strings.ToLower(method), clip(rawURL), err)
	}
	if maxBytes <= 0 {
		maxBytes = c.maxBytes
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w: %v", strings.ToLower(method), clip(rawURL), ErrBadURL, err)
	}
	for k, vs := range headers {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("User-Agent", c.userAgent)
	hc := *c.hc
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		return nil, c.wrapErr(ctx, rawURL, u.String(), err)
	}
	defer resp.Body.Close()
	where := strings.ToLower(method) + " " + clip(rawURL)
	if resp.ContentLength > maxBytes {
		return nil, fmt.Errorf("%s: %w: response larger than %d bytes (Content-Length %d)", where, ErrTooLarge, maxBytes, resp.ContentLength)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, c.wrapErr(ctx, rawURL, u.String(), err)
	}
	if int64(len(data)) > maxBytes {
		return nil, fmt.Errorf("%s: %w: response larger than %d bytes", where, ErrTooLarge, maxBytes)
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return &Response{URL: u.String(), Status: resp.StatusCode, ContentType: strings.ToLower(mt), Header: resp.Header, Body: data}, nil
}

// PostForm posts form as application/x-www-form-urlencoded (an OAuth
// token or revocation request) under Send's rules and returns the answer
// whatever its status.
func (c *Client) PostForm(ctx context.Context, rawURL string, form url.Values, headers http.Header) (*Response, error) {
	return c.Send(ctx, http.MethodPost, rawURL, "application/x-www-form-urlencoded", []byte(form.Encode()), headers, 0)
}
