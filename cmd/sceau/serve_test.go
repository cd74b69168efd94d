package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server's log and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeDemo starts `sceau serve --demo` on SQLite in a temporary data
// directory, as the README's run command does, and reads what it serves.
func TestServeDemo(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	base := "http://localhost:" + strconv.Itoa(port)
	dir := t.TempDir()

	ctx, cancel := context.WithCancel(context.Background())
	listening := make(chan string, 1)
	logs := &syncBuffer{}
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: logs, getenv: func(string) string { return "" },
		ctx: ctx, onListen: func(addr string) { listening <- addr }}
	done := make(chan int, 1)
	args := []string{"--demo", "--addr", "127.0.0.1:" + strconv.Itoa(port), "--base-url", base, "--data-dir", dir}
	go func() { done <- run(e, append([]string{"serve"}, args...)) }()
	select {
	case <-listening:
	case code := <-done:
		t.Fatalf("serve exited with %d:\n%s", code, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start:\n%s", logs.String())
	}

	get := func(path, accept string) (int, string, string) {
		req, _ := http.NewRequest("GET", base+path, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("Content-Type"), string(body)
	}
	if code, _, body := get("/issuers/"+demoIssuer+"/did.json", ""); code != 200 || !strings.Contains(body, "did:web:localhost%3A"+strconv.Itoa(port)+":issuers:"+demoIssuer) {
		t.Fatalf("DID document: %d %s", code, body)
	}
	// The demo awards are logged with their URLs; each answers people and machines.
	var awardURL string
	for _, line := range strings.Split(logs.String(), "\n") {
		if i := strings.Index(line, "url="+base+"/awards/"); i >= 0 {
			awardURL = strings.Fields(line[i+len("url="):])[0]
			break
		}
	}
	if awardURL == "" {
		t.Fatalf("no demo award in the log:\n%s", logs.String())
	}
	path := strings.TrimPrefix(awardURL, base)
	if code, ctype, body := get(path, "text/html"); code != 200 || !strings.HasPrefix(ctype, "text/html") || !strings.Contains(body, "<html") {
		t.Fatalf("award page: %d %s", code, ctype)
	}
	if code, ctype, body := get(path, "application/vc+ld+json"); code != 200 || !strings.Contains(ctype, "json") || !strings.Contains(body, `"proof"`) {
		t.Fatalf("award credential: %d %s %.200s", code, ctype, body)
	}

	// The VC API signs for the demo issuer, and verifies what it signed.
	post := func(path, body string) (int, string) {
		res, err := http.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	code, issued := post("/api/vc/credentials/issue", `{"credential":{"@context":["https://www.w3.org/ns/credentials/v2"],`+
		`"type":["VerifiableCredential"],"credentialSubject":{"id":"did:example:alice"}}}`)
	if code != http.StatusCreated || !strings.Contains(issued, `"eddsa-rdfc-2022"`) {
		t.Fatalf("VC API issue: %d %.300s", code, issued)
	}
	var vcResp struct {
		VC json.RawMessage `json:"verifiableCredential"`
	}
	if err := json.Unmarshal([]byte(issued), &vcResp); err != nil {
		t.Fatal(err)
	}
	if code, body := post("/api/vc/credentials/verify", `{"verifiableCredential":`+string(vcResp.VC)+`}`); code != 200 || !strings.Contains(body, `"verified":true`) {
		t.Fatalf("VC API verify: %d %.300s", code, body)
	}

	// The integration API is mounted: its description is public, its
	// awards need a token.
	if code, ctype, body := get("/api/openapi.json", ""); code != 200 || !strings.Contains(ctype, "json") || !strings.Contains(body, `"openapi"`) {
		t.Fatalf("openapi.json: %d %s", code, ctype)
	}
	if code, _, _ := get("/api/v1/awards", "application/json"); code != http.StatusUnauthorized {
		t.Fatalf("/api/v1/awards without a token: %d", code)
	}

	// The OB 3.0 API describes itself without authentication and answers
	// Imsx_StatusInfo without a token.
	if code, _, body := get("/ims/ob/v3p0/discovery", "application/json"); code != 200 || !strings.Contains(body, "x-imssf-name") {
		t.Fatalf("OB 3.0 discovery: %d", code)
	}
	if code, _, body := get("/ims/ob/v3p0/credentials", "application/json"); code != http.StatusUnauthorized || !strings.Contains(body, "imsx_codeMajor") {
		t.Fatalf("OB 3.0 credentials without a token: %d %.200s", code, body)
	}

	// Without SMTP, a sign-up's confirmation e-mail lands in the outbox,
	// delivered by the job runner from the durable queue.
	res, err := http.PostForm(base+"/signup", url.Values{"name": {"Marie Lemieux"}, "email": {"marie@exemple.ca"},
		"password": {"un mot de passe solide"}, "password2": {"un mot de passe solide"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	// The demo awards' announcements are there too, each with a claim link.
	var confirm, announce string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline) && (confirm == "" || announce == ""); time.Sleep(50 * time.Millisecond) {
		files, _ := filepath.Glob(filepath.Join(dir, "outbox", "*.eml"))
		for _, f := range files {
			b, _ := os.ReadFile(f)
			msg := strings.ReplaceAll(string(b), "=\r\n", "")
			if strings.Contains(msg, "marie@exemple.ca") && strings.Contains(msg, base+"/confirm?token=") {
				confirm = f
			}
			if strings.Contains(msg, base+"/claim/") {
				announce = f
			}
		}
	}
	if confirm == "" || announce == "" {
		t.Fatalf("outbox: confirmation %q, announcement %q (status %d)\n%s", confirm, announce, res.StatusCode, logs.String())
	}

	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("serve exited with %d:\n%s", code, logs.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}

	// A second start finds the demo data loaded and the schema current.
	code, out, errOut := runCmd(t, "migrate", "--data-dir", dir, "--dev", "--base-url", base)
	if code != exitOK || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate: %d %s %s", code, out, errOut)
	}
}
