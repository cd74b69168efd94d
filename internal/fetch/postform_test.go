package fetch

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestSendAndPostForm(t *testing.T) {
	var got struct {
		method, ct, authz string
		body              []byte
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.method, got.ct, got.authz = r.Method, r.Header.Get("Content-Type"), r.Header.Get("Authorization")
		got.body, _ = io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		case "/big":
			w.Write([]byte(strings.Repeat("x", 200)))
		case "/token":
			w.Header().Set("Content-Type", "application/json; charset=UTF-8")
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"invalid_grant"}`))
		default:
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"ok":true}`))
		}
	}))
	defer srv.Close()
	allow, err := ParseAllowList(mustHost(t, srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	c := New(Options{Allow: allow, MaxBytes: 100})
	ctx := context.Background()

	t.Run("an error answer is returned with its body", func(t *testing.T) {
		resp, err := c.PostForm(ctx, srv.URL+"/token", url.Values{"grant_type": {"authorization_code"}, "code": {"a b"}},
			http.Header{"Authorization": {"Basic eDp5"}})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != 400 || resp.ContentType != "application/json" || string(resp.Body) != `{"error":"invalid_grant"}` {
			t.Errorf("answer %d %q %s", resp.Status, resp.ContentType, resp.Body)
		}
		if got.method != "POST" || got.ct != "application/x-www-form-urlencoded" || got.authz != "Basic eDp5" ||
			string(got.body) != "code=a+b&grant_type=authorization_code" {
			t.Errorf("server saw %+v %s", got, got.body)
		}
	})
	t.Run("GET with a bearer token", func(t *testing.T) {
		resp, err := c.Send(ctx, "GET", srv.URL+"/credentials", "", nil, http.Header{"Authorization": {"Bearer t"}}, 0)
		if err != nil || resp.Status != 200 || string(resp.Body) != `{"ok":true}` {
			t.Fatalf("%v %v", resp, err)
		}
		if got.method != "GET" || got.authz != "Bearer t" || got.ct != "" {
			t.Errorf("server saw %+v", got)
		}
	})
	t.Run("redirects are not followed", func(t *testing.T) {
		resp, err := c.Send(ctx, "GET", srv.URL+"/moved", "", nil, http.Header{"Authorization": {"Bearer t"}}, 0)
		if err != nil || resp.Status != http.StatusFound {
			t.Fatalf("%v %v", resp, err)
		}
	})
	t.Run("bounded body", func(t *testing.T) {
		if _, err := c.Send(ctx, "GET", srv.URL+"/big", "", nil, nil, 0); !errors.Is(err, ErrTooLarge) {
			t.Errorf("200 bytes over a 100-byte bound: %v", err)
		}
		if resp, err := c.Send(ctx, "GET", srv.URL+"/big", "", nil, nil, 300); err != nil || len(resp.Body) != 200 {
			t.Errorf("with a larger bound: %v", err)
		}
	})
	t.Run("refused addresses and schemes", func(t *testing.T) {
		strict := New(Options{})
		if _, err := strict.PostForm(ctx, srv.URL+"/token", nil, nil); !errors.Is(err, ErrScheme) {
			t.Errorf("plain http: %v", err)
		}
		for _, u := range []string{"https://127.0.0.1/token", "https://169.254.169.254/latest/meta-data"} {
			if _, err := strict.PostForm(ctx, u, nil, nil); !errors.Is(err, ErrBlocked) {
				t.Errorf("%s: %v, want ErrBlocked", u, err)
			}
		}
		if _, err := strict.Send(ctx, "GET", "https://user:pw@example.com/", "", nil, nil, 0); !errors.Is(err, ErrBadURL) {
			t.Errorf("credentials in URL: %v", err)
		}
	})
}
