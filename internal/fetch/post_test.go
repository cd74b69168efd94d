package fetch

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

func TestPost(t *testing.T) {
	var got struct {
		method, ct, sig string
		body            []byte
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.method, got.ct, got.sig = r.Method, r.Header.Get("Content-Type"), r.Header.Get("X-Sig")
		got.body, _ = io.ReadAll(r.Body)
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	host := mustHost(t, srv.URL)
	allow, err := ParseAllowList(host)
	if err != nil {
		t.Fatal(err)
	}
	c := New(Options{Allow: allow})
	status, err := c.Post(context.Background(), srv.URL+"/hook", "application/json", []byte(`{"a":1}`), http.Header{"X-Sig": {"s"}})
	if err != nil || status != http.StatusAccepted {
		t.Fatalf("post: %d %v", status, err)
	}
	if got.method != "POST" || got.ct != "application/json" || got.sig != "s" || string(got.body) != `{"a":1}` {
		t.Fatalf("server saw %+v", got)
	}
	if status, err := c.Post(context.Background(), srv.URL+"/moved", "application/json", nil, nil); err != nil || status != http.StatusFound {
		t.Fatalf("redirect followed: %d %v", status, err)
	}
	// Without the allow-list: plain http and loopback are refused.
	strict := New(Options{})
	if _, err := strict.Post(context.Background(), srv.URL, "application/json", nil, nil); !errors.Is(err, ErrScheme) {
		t.Fatalf("plain http: %v", err)
	}
	for _, u := range []string{"https://127.0.0.1/hook", "https://169.254.169.254/latest/meta-data"} {
		if _, err := strict.Post(context.Background(), u, "application/json", nil, nil); !errors.Is(err, ErrBlocked) {
			t.Errorf("%s: %v, want ErrBlocked", u, err)
		}
	}
}

func mustHost(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}
