package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

const prodURL = "https://badges.example.org"

func TestLoadDefaults(t *testing.T) {
	c, err := Load([]string{"--dev"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.BaseURL != "http://localhost:8080" || c.DataDir != "data" || c.Database.IsSet() ||
		!c.Dev || c.Demo || c.MasterKey.IsSet() || c.SMTPURL.IsSet() || c.TLSCert != "" || len(c.FetchAllow) != 0 {
		t.Errorf("defaults: %+v", *c)
	}
	if c.DatabaseDriver() != DriverSQLite || c.DatabaseSource() != filepath.Join("data", "sceau.db") {
		t.Errorf("database %s %s", c.DatabaseDriver(), c.DatabaseSource())
	}
}

func TestLoadPrecedence(t *testing.T) {
	full := env(EnvAddr, ":9000", EnvBaseURL, "https://env.example.org", EnvDataDir, "/var/lib/sceau",
		EnvDatabase, "postgres://u:pw@db.example.org/sceau", EnvDemo, "false", EnvDev, "0",
		EnvTLSCert, "/etc/c.pem", EnvTLSKey, "/etc/k.pem", EnvFetchAllow, "intranet.example.org, 10.0.0.0/8",
		EnvMasterKey, " c2VjcmV0 \n", EnvSMTPURL, "smtp://mailer:hunter2@smtp.example.org:587")
	tests := []struct {
		name string
		args []string
		env  func(string) string
		want func(c *Config) string // "" when fine, else what is wrong
	}{
		{"env only", nil, full, func(c *Config) string {
			if c.Addr != ":9000" || c.BaseURL != "https://env.example.org" || c.DataDir != "/var/lib/sceau" ||
				c.DatabaseDriver() != DriverPostgres || c.TLSCert != "/etc/c.pem" || c.Dev ||
				!slices.Equal(c.FetchAllow, []string{"intranet.example.org", "10.0.0.0/8"}) ||
				c.MasterKey.Value() != "c2VjcmV0" || c.SMTPURL.Value() != "smtp://mailer:hunter2@smtp.example.org:587" {
				return fmt.Sprintf("%+v", *c)
			}
			return ""
		}},
		{"flags override env", []string{"--addr", "127.0.0.1:7000", "--base-url=https://flag.example.org/", "--data-dir", "d2",
			"--database", "/srv/s.db", "--tls-cert", "", "--tls-key", "", "--fetch-allow", ""}, full, func(c *Config) string {
			if c.Addr != "127.0.0.1:7000" || c.BaseURL != "https://flag.example.org" || c.DataDir != "d2" ||
				c.DatabaseDriver() != DriverSQLite || c.DatabaseSource() != "/srv/s.db" || c.TLSCert != "" || len(c.FetchAllow) != 0 {
				return fmt.Sprintf("%+v", *c)
			}
			return ""
		}},
		{"bool flag overrides env", []string{"--dev=false", "--base-url", prodURL}, env(EnvDev, "true"), func(c *Config) string {
			if c.Dev {
				return "dev still on"
			}
			return ""
		}},
		{"suspension status from env", []string{"--dev"}, env(EnvSuspension, "true"), func(c *Config) string {
			if !c.SuspensionStatus {
				return "SuspensionStatus false"
			}
			return ""
		}},
		{"suspension status off by default", []string{"--dev"}, nil, func(c *Config) string {
			if c.SuspensionStatus {
				return "SuspensionStatus true"
			}
			return ""
		}},
		{"dev from env", nil, env(EnvDev, "true"), func(c *Config) string {
			if !c.Dev || c.BaseURL != "http://localhost:8080" {
				return fmt.Sprintf("%+v", *c)
			}
			return ""
		}},
		{"demo implies dev", []string{"--demo"}, nil, func(c *Config) string {
			if !c.Demo || !c.Dev {
				return fmt.Sprintf("demo=%v dev=%v", c.Demo, c.Dev)
			}
			return ""
		}},
		{"demo from env implies dev", nil, env(EnvDemo, "1"), func(c *Config) string {
			if !c.Demo || !c.Dev {
				return fmt.Sprintf("demo=%v dev=%v", c.Demo, c.Dev)
			}
			return ""
		}},
		{"dev base URL follows the port", []string{"--dev", "--addr", ":3000"}, nil, func(c *Config) string {
			if c.BaseURL != "http://localhost:3000" {
				return c.BaseURL
			}
			return ""
		}},
		{"dev base URL https with TLS", []string{"--dev", "--tls-cert", "c", "--tls-key", "k"}, nil, func(c *Config) string {
			if c.BaseURL != "https://localhost:8080" {
				return c.BaseURL
			}
			return ""
		}},
		{"base URL normalised", []string{"--base-url", "HTTPS://Badges.Example.ORG/sceau/"}, nil, func(c *Config) string {
			if c.BaseURL != "https://badges.example.org/sceau" {
				return c.BaseURL
			}
			return ""
		}},
		{"connections pulled daily by default", []string{"--dev"}, nil, func(c *Config) string {
			if c.ConnectionsInterval != 24*time.Hour {
				return c.ConnectionsInterval.String()
			}
			return ""
		}},
		{"connections interval from env, 0 from the flag", []string{"--dev", "--connections-interval", "0"}, env(EnvConnectionsInterval, "6h"), func(c *Config) string {
			if c.ConnectionsInterval != 0 {
				return c.ConnectionsInterval.String()
			}
			return ""
		}},
		{"connections interval from env", []string{"--dev"}, env(EnvConnectionsInterval, "6h"), func(c *Config) string {
			if c.ConnectionsInterval != 6*time.Hour {
				return c.ConnectionsInterval.String()
			}
			return ""
		}},
		{"postgresql scheme", []string{"--database", "postgresql://db.example.org/x", "--base-url", prodURL}, nil, func(c *Config) string {
			if c.DatabaseDriver() != DriverPostgres {
				return c.DatabaseDriver()
			}
			return ""
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(tc.args, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if msg := tc.want(c); msg != "" {
				t.Error(msg)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  func(string) string
		want []string // substrings of the error
	}{
		{"unknown flag", []string{"--port", "80"}, nil, []string{"port"}},
		{"stray argument", []string{"--dev", "extra"}, nil, []string{`"extra"`}},
		{"bad bool env", nil, env(EnvDev, "yes please"), []string{EnvDev, "boolean"}},
		{"bad demo env", nil, env(EnvDemo, "oui"), []string{EnvDemo}},
		{"addr without port", []string{"--dev", "--addr", "localhost"}, nil, []string{"--addr", "host:port"}},
		{"addr bad port", []string{"--dev", "--addr", ":http"}, nil, []string{"bad port"}},
		{"addr port too big", []string{"--dev", "--addr", ":70000"}, nil, []string{"bad port"}},
		{"empty data dir", []string{"--dev", "--data-dir", ""}, nil, []string{"--data-dir"}},
		{"tls cert without key", []string{"--dev", "--tls-cert", "c.pem"}, nil, []string{"--tls-key"}},
		{"tls key without cert", []string{"--dev", "--tls-key", "k.pem"}, nil, []string{"--tls-cert"}},
		{"no base URL in production", nil, nil, []string{"--base-url", "required", "--dev"}},
		{"dev with port 0", []string{"--dev", "--addr", ":0"}, nil, []string{"port 0"}},
		{"relative base URL", []string{"--base-url", "badges.example.org"}, nil, []string{"absolute"}},
		{"ftp base URL", []string{"--dev", "--base-url", "ftp://example.org"}, nil, []string{"absolute http(s)"}},
		{"base URL with query", []string{"--dev", "--base-url", "https://example.org/?a=1"}, nil, []string{"query"}},
		{"base URL with empty query", []string{"--dev", "--base-url", "https://example.org/?"}, nil, []string{"query"}},
		{"base URL with fragment", []string{"--dev", "--base-url", "https://example.org/#x"}, nil, []string{"fragment"}},
		{"base URL with user", []string{"--dev", "--base-url", "https://u:p@example.org"}, nil, []string{"user name"}},
		{"base URL IPv6", []string{"--dev", "--base-url", "http://[::1]:8080"}, nil, []string{"IPv6"}},
		{"base URL underscore host", []string{"--dev", "--base-url", "https://my_host.example.org"}, nil, []string{"host name"}},
		{"base URL empty port", []string{"--dev", "--base-url", "https://example.org:"}, nil, []string{"bad port"}},
		{"base URL trailing dot", []string{"--dev", "--base-url", "https://example.org."}, nil, []string{"host name"}},
		{"base URL bad port", []string{"--dev", "--base-url", "https://example.org:0"}, nil, []string{"bad port"}},
		{"database other scheme", []string{"--dev", "--database", "mysql://u:secretpw@h/db"}, nil, []string{"postgres://"}},
		{"fetch allow bad CIDR", []string{"--dev", "--fetch-allow", "10.0.0.0/33"}, nil, []string{"CIDR"}},
		{"fetch allow bad host", []string{"--dev", "--fetch-allow", "ok.example.org,bad host"}, nil, []string{`"bad host"`}},
		{"connections interval not a duration", []string{"--dev"}, env(EnvConnectionsInterval, "daily"), []string{EnvConnectionsInterval}},
		{"connections interval too short", []string{"--dev", "--connections-interval", "10s"}, nil, []string{"--connections-interval"}},
		{"connections interval negative", []string{"--dev", "--connections-interval", "-1h"}, nil, []string{"--connections-interval"}},
		{"smtp bad scheme", []string{"--dev"}, env(EnvSMTPURL, "http://u:secretpw@mail.example.org"), []string{EnvSMTPURL, "smtp://"}},
		{"smtp no host", []string{"--dev"}, env(EnvSMTPURL, "smtp://u:secretpw@"), []string{EnvSMTPURL}},
		{"smtp unparsable", []string{"--dev"}, env(EnvSMTPURL, "smtp://u:secretpw@host:port:x%zz"), []string{EnvSMTPURL}},
		{"smtp bad port", []string{"--dev"}, env(EnvSMTPURL, "smtps://u:secretpw@mail.example.org:99999"), []string{"bad port"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(tc.args, tc.env)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Load = %v, %v; want ErrInvalid", c, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "secretpw") {
				t.Errorf("error shows a password: %v", err)
			}
		})
	}
	if _, err := Load([]string{"-h"}, nil); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}

// TestUnreachableBaseURL: outside development mode, base URLs that other
// machines cannot reach are refused with the reason and the fix; the same
// URLs are accepted with --dev.
func TestUnreachableBaseURL(t *testing.T) {
	tests := []struct {
		base string
		why  string // "" when accepted
	}{
		{"https://badges.example.org", ""},
		{"https://badges.example.org:8443/sceau", ""},
		{"https://203.0.113.9", ""},
		{"http://badges.example.org", "uses http"},
		{"https://localhost", "localhost"},
		{"https://LOCALHOST:8443", "localhost"},
		{"https://app.localhost", "localhost"},
		{"https://127.0.0.1", "loopback"},
		{"https://127.8.9.10:8080", "loopback"},
		{"https://0.0.0.0", "unspecified"},
		{"https://10.1.2.3", "private"},
		{"https://172.16.0.1", "private"},
		{"https://172.31.255.255", "private"},
		{"https://192.168.1.20", "private"},
		{"https://100.64.0.1", "private"},
		{"https://169.254.1.1", "link-local"},
		{"https://intranet", "no dot"},
		{"https://nas.local", ".local"},
		{"https://svc.internal", ".internal"},
		{"https://box.home.arpa", ".home.arpa"},
		{"https://site.test", ".test"},
		{"http://127.0.0.1:8080", "loopback"},
	}
	for _, tc := range tests {
		t.Run(tc.base, func(t *testing.T) {
			_, err := Load([]string{"--base-url", tc.base}, nil)
			if tc.why == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("accepted, want refusal because %s", tc.why)
			}
			for _, w := range []string{tc.why, "--dev", "https://"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			c, err := Load([]string{"--base-url", tc.base, "--dev"}, nil)
			if err != nil {
				t.Errorf("refused with --dev: %v", err)
			} else if c.BaseURL == "" {
				t.Error("empty base URL")
			}
		})
	}
	// The 172.16/12 boundary: 172.32.0.1 is public.
	if err := CheckPublicBaseURL("https://172.32.0.1"); err != nil {
		t.Errorf("172.32.0.1 refused: %v", err)
	}
}

func TestRedaction(t *testing.T) {
	c, err := Load([]string{"--dev", "--database", "postgres://sceau:dbsecret@db.example.org/sceau?sslmode=require"},
		env(EnvMasterKey, "bWFzdGVyLWtleS1ieXRlcy1iYXNlNjQtMzI=", EnvSMTPURL, "smtps://mailer:smtpsecret@smtp.example.org:465"))
	if err != nil {
		t.Fatal(err)
	}
	type holder struct {
		cfg Config // by value in an unexported field: fmt cannot call methods
		mk  Secret
	}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		for _, arg := range []any{c, *c, holder{*c, c.MasterKey}, c.MasterKey, c.SMTPURL, []any{c.SMTPURL}} {
			outs = append(outs, fmt.Sprintf(verb, arg))
		}
	}
	outs = append(outs, c.String())
	for _, h := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("config", "cfg", c, "mk", c.MasterKey, "smtp", c.SMTPURL)
		outs = append(outs, buf.String())
	}
	j, _ := json.Marshal(struct{ A, B Secret }{c.MasterKey, c.SMTPURL})
	outs = append(outs, string(j))
	secrets := []string{"bWFzdGVy", "smtpsecret", "dbsecret"}
	for _, out := range outs {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("output shows secret %q: %s", s, out)
			}
		}
	}
	// What is shown is still useful.
	s := c.String()
	for _, w := range []string{"smtps://mailer:xxxxx@smtp.example.org:465", "postgres://sceau:xxxxx@db.example.org", "from " + EnvMasterKey, "dev=true"} {
		if !strings.Contains(s, w) {
			t.Errorf("String() %q lacks %q", s, w)
		}
	}
	if c.MasterKey.Value() != "bWFzdGVyLWtleS1ieXRlcy1iYXNlNjQtMzI=" || !strings.Contains(c.SMTPURL.Value(), "smtpsecret") {
		t.Error("Value() does not return the secret")
	}
	var zero Secret
	if zero.IsSet() || zero.Value() != "" || fmt.Sprint(zero) != "" {
		t.Error("zero Secret misbehaves")
	}
	if got := redactURL("postgres://db.example.org/x?user=u&password=pw"); strings.Contains(got, "pw") {
		t.Errorf("password in query shown: %s", got)
	}
}

func TestUsage(t *testing.T) {
	var b bytes.Buffer
	Usage(&b)
	for _, w := range []string{"-addr", "-base-url", "-data-dir", "-database", "-demo", "-dev", "-tls-cert", "-fetch-allow", EnvMasterKey, EnvSMTPURL} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("usage lacks %s", w)
		}
	}
}
