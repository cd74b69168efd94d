package fetch

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
)

// maxPostAnswer bounds what is read of a POST's answer: only its status
// matters, and draining a little lets the connection be reused.
const maxPostAnswer = 64 << 10

// Post sends body to rawURL with POST under the same rules as Get (https
// only unless allow-listed, checked addresses, one deadline) and returns
// the response status, whatever it is: a non-2xx answer is not an error
// here. Redirects are not followed (a 3xx status is returned): a webhook
// endpoint that moves must be registered again. Errors match ErrBadURL,
// ErrScheme, ErrBlocked or ErrTimeout.
func (c *Client) Post(ctx context.Context, rawURL, contentType string, body []byte, headers http.Header) (int, error) {
	u, err := c.checkURL(rawURL)
	if err != nil {
		return 0, fmt.Errorf("post %s: %w", clip(rawURL), err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("post %s: %w: %v", clip(rawURL), ErrBadURL, err)
	}
	for k, vs := range headers {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", c.userAgent)
	hc := *c.hc
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		return 0, c.wrapErr(ctx, rawURL, u.String(), err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxPostAnswer))
	return resp.StatusCode, nil
}
