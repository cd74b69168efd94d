// Package e2e drives the real sceau binary with a real browser: each test
// starts `sceau serve` as a subprocess (on SQLite, and on PostgreSQL when
// SCEAU_TEST_POSTGRES is set), an in-process SMTP peer that receives its
// e-mail, and headless Chromium through chromedp. See README.md.
//
// This file is the harness; the flows are in flows_test.go.
package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/sceau/sceau/internal/mail/smtptest"
	"github.com/sceau/sceau/internal/store"
)

// Environment variables that change how the tests run.
const (
	// envPostgres holds a PostgreSQL DSN; flows that take a database also
	// run on it, each server in a schema of its own.
	envPostgres = "SCEAU_TEST_POSTGRES"
	// envRequireTools=1 turns a missing Chromium into a failure (CI).
	envRequireTools = "SCEAU_REQUIRE_TOOLS"
	// envShow=1 keeps a screenshot of every step in a directory that
	// outlives the test run, and logs where.
	envShow = "SCEAU_E2E_SHOW"
	// envChromium names the browser binary, instead of the search below.
	envChromium = "SCEAU_CHROMIUM"
	// envBinary names a sceau binary to test instead of building one
	// (a release build, or a build kept while the tree does not compile).
	envBinary = "SCEAU_E2E_BINARY"
)

// testTimeout bounds each test: the browser actions and the waits for
// e-mail all stop at this deadline.
const testTimeout = 90 * time.Second

// mailTimeout bounds the wait for one e-mail at the SMTP peer; the server's
// job runner sends at once, so a few seconds is plenty.
const mailTimeout = 15 * time.Second

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
	// showDir is where SCEAU_E2E_SHOW keeps screenshots (one per run).
	showOnce sync.Once
	showDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// moduleRoot is the directory of go.mod, found from this file's location.
func moduleRoot() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("cannot locate harness_test.go")
	}
	dir := filepath.Dir(file)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above %s", filepath.Dir(file))
		}
		dir = parent
	}
}

// sceauBinary builds ./cmd/sceau once per test run and returns its path.
func sceauBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if p := os.Getenv(envBinary); p != "" {
			binPath, buildErr = filepath.Abs(p)
			return
		}
		root, err := moduleRoot()
		if err != nil {
			buildErr = err
			return
		}
		buildDir, err = os.MkdirTemp("", "sceau-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(goCmd); err != nil {
			goCmd = "go"
		}
		out := filepath.Join(buildDir, "sceau")
		cmd := exec.Command(goCmd, "build", "-o", out, "./cmd/sceau")
		cmd.Dir = root
		start := time.Now()
		if msg, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/sceau: %v\n%s", err, msg)
			return
		}
		binPath = out
		fmt.Fprintf(os.Stderr, "e2e: built sceau in %v\n", time.Since(start).Round(time.Millisecond))
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// chromiumPath returns the browser to drive, or skips the test (fails it
// when SCEAU_REQUIRE_TOOLS=1) when there is none.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv(envChromium); p != "" {
		return p
	}
	for _, p := range []string{"/usr/bin/chromium"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(envRequireTools) == "1" {
		t.Fatal("chromium not found (install Debian's chromium), and " + envRequireTools + "=1")
	}
	t.Skip("chromium not found: end-to-end browser tests skipped (set " + envRequireTools + "=1 to fail instead)")
	return ""
}

// dbKind names the database a server runs on.
type dbKind string

const (
	sqlite   dbKind = "sqlite"
	postgres dbKind = "postgres"
)

// forEachDB runs fn as a subtest on SQLite, then on PostgreSQL (skipped
// without SCEAU_TEST_POSTGRES).
func forEachDB(t *testing.T, fn func(t *testing.T, db dbKind)) {
	t.Helper()
	t.Run(string(sqlite), func(t *testing.T) { fn(t, sqlite) })
	t.Run(string(postgres), func(t *testing.T) {
		requirePostgres(t)
		fn(t, postgres)
	})
}

// flowCase is one run of a flow: a database and a language.
type flowCase struct {
	db   dbKind
	lang string
}

// runFlow runs flow once per case as parallel subtests named "db/lang";
// PostgreSQL cases are skipped without SCEAU_TEST_POSTGRES.
func runFlow(t *testing.T, flow func(t *testing.T, db dbKind, lang string), cases ...flowCase) {
	t.Helper()
	t.Parallel()
	for _, c := range cases {
		t.Run(string(c.db)+"/"+c.lang, func(t *testing.T) {
			t.Parallel()
			if c.db == postgres {
				requirePostgres(t)
			}
			flow(t, c.db, c.lang)
		})
	}
}

func requirePostgres(t *testing.T) {
	t.Helper()
	if os.Getenv(envPostgres) == "" {
		t.Skip("PostgreSQL run skipped: " + envPostgres + " not set")
	}
}

// server is a running `sceau serve` with its SMTP peer.
type server struct {
	URL  string // base URL, http://127.0.0.1:PORT, no trailing slash
	SMTP *smtptest.Server
	log  *syncBuffer
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
}

// syncBuffer collects the server's output from the process's pipes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServer starts the binary on a free loopback port with e-mail going
// to a new SMTP peer; it stops when the test ends, and its log is printed
// if the test failed. flags are added to `sceau serve`'s (an operator's
// setting a flow needs, such as --vc-issuer).
func startServer(t *testing.T, db dbKind, flags ...string) *server {
	t.Helper()
	bin := sceauBinary(t)
	peer := smtptest.Start(t)
	var database string
	if db == postgres {
		database = postgresSchema(t)
	}
	// The port is chosen by listening on :0 then closing, so another
	// process may take it before the server does: try again then.
	var lastErr error
	for range 3 {
		s, err := launch(t, bin, peer, database, flags)
		if err == nil {
			return s
		}
		lastErr = err
	}
	t.Fatalf("start sceau serve: %v", lastErr)
	return nil
}

func launch(t *testing.T, bin string, peer *smtptest.Server, database string, flags []string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	base := "http://" + addr
	args := []string{"serve", "--dev", "--addr", addr, "--base-url", base, "--data-dir", t.TempDir()}
	if database != "" {
		args = append(args, "--database", database)
	}
	args = append(args, flags...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(cleanEnv(), "SCEAU_SMTP_URL="+peer.URL())
	s := &server{URL: base, SMTP: peer, log: &syncBuffer{}, cmd: cmd, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("server log (%s):\n%s", base, s.log.String())
		}
	})
	if err := s.waitHealthy(30 * time.Second); err != nil {
		s.stop()
		return nil, fmt.Errorf("%w\nserver log:\n%s", err, s.log.String())
	}
	return s, nil
}

// cleanEnv is the test's environment without SCEAU_ variables, so a
// developer's settings do not leak into the server.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SCEAU_") {
			env = append(env, kv)
		}
	}
	return env
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitHealthy polls /healthz until it answers 200, the process exits or
// the time is up.
func (s *server) waitHealthy(limit time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("sceau serve exited early (%v)", s.cmd.ProcessState)
		default:
		}
		resp, err := client.Get(s.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no healthy answer from %s/healthz within %v", s.URL, limit)
}

// stop asks the server to shut down (SIGTERM) and kills it if it is still
// there after a few seconds.
func (s *server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// postgresSchema creates a schema of the test's own in the database of
// SCEAU_TEST_POSTGRES (dropped at the end) and returns a DSN using it.
func postgresSchema(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv(envPostgres)
	var b [6]byte
	rand.Read(b[:])
	schema := "e2e_" + hex.EncodeToString(b[:])
	admin := func(stmt string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		db, err := store.Open(ctx, dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		_, err = db.SQL().ExecContext(ctx, stmt)
		return err
	}
	if err := admin(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	// Registered before the server starts, so it runs after the server
	// has stopped (cleanups run last-in first-out).
	t.Cleanup(func() {
		if err := admin(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("%s: %v", envPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// waitMailWhere waits for an e-mail to addr that match accepts (among
// all those received so far, then those to come).
func (s *server) waitMailWhere(t *testing.T, addr, what string, match func(smtptest.Message) bool) smtptest.Message {
	t.Helper()
	msg, err := s.SMTP.WaitFor(mailTimeout, func(m smtptest.Message) bool {
		return smtptest.To(addr)(m) && match(m)
	})
	if err != nil {
		var got []string
		for _, m := range s.SMTP.Messages() {
			if smtptest.To(addr)(m) {
				got = append(got, fmt.Sprintf("%q", m.Subject))
			}
		}
		t.Fatalf("e-mail to %s (%s): %v; received for that address: %v", addr, what, err, got)
	}
	return msg
}

// waitMailCount waits until every address of addrs has received at
// least one e-mail, and returns how many each has (for a batch: one
// announcement each, none twice).
func (s *server) waitMailCount(t *testing.T, addrs []string, limit time.Duration) map[string]int {
	t.Helper()
	want := map[string]bool{}
	for _, a := range addrs {
		want[strings.ToLower(a)] = true
	}
	// WaitFor shows every message once, those received so far first.
	got := map[string]int{}
	_, err := s.SMTP.WaitFor(limit, func(m smtptest.Message) bool {
		for _, to := range m.To {
			if to = strings.ToLower(to); want[to] {
				got[to]++
			}
		}
		return len(got) == len(want)
	})
	if err != nil {
		var missing []string
		for a := range want {
			if got[a] == 0 {
				missing = append(missing, a)
			}
		}
		t.Fatalf("%d of %d addresses received no e-mail: %v (%v)", len(missing), len(want), missing, err)
	}
	return got
}

// fetch GETs a path of the server (or an absolute URL) without a session,
// as a visitor's program would, and returns the answer's status, header
// and body.
func (s *server) fetch(t *testing.T, pathOrURL string) (int, http.Header, []byte) {
	t.Helper()
	u := pathOrURL
	if strings.HasPrefix(u, "/") {
		u = s.URL + u
	}
	client := &http.Client{Timeout: 15 * time.Second}
	resp, err := client.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		t.Fatalf("GET %s: read body: %v", u, err)
	}
	return resp.StatusCode, resp.Header, body
}

// waitMail waits for the next e-mail to addr at the server's SMTP peer
// whose subject or text contains want (any, when want is empty).
func (s *server) waitMail(t *testing.T, addr, want string) smtptest.Message {
	t.Helper()
	msg, err := s.SMTP.WaitFor(mailTimeout, func(m smtptest.Message) bool {
		return smtptest.To(addr)(m) && (want == "" || strings.Contains(m.Subject, want) || strings.Contains(m.Text, want))
	})
	if err != nil {
		var got []string
		for _, m := range s.SMTP.Messages() {
			got = append(got, fmt.Sprintf("%v %q", m.To, m.Subject))
		}
		t.Fatalf("e-mail to %s containing %q: %v; received: %v", addr, want, err, got)
	}
	return msg
}

// browser is one tab of headless Chromium, driven against a server: the
// first of a test starts Chromium, others (newPerson) are tabs of other
// people in the same Chromium.
// Its methods fail the test (with a screenshot and the page's address and
// text in the log) when an action fails.
type browser struct {
	t        *testing.T
	srv      *server
	ctx      context.Context // the tab; no deadline of its own
	deadline time.Time       // the test's deadline for every action
	step     int
	shot     bool   // a failure snapshot was taken
	who      string // whose tab this is, in failure logs ("" for the first)

	mu         sync.Mutex
	exceptions []string // uncaught JavaScript exceptions
}

// newBrowser starts Chromium with a fresh profile whose requests ask for
// lang (Accept-Language), opened on nothing yet.
func newBrowser(t *testing.T, srv *server, lang string) *browser {
	t.Helper()
	exe := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root, where the sandbox cannot start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &browser{t: t, srv: srv, deadline: time.Now().Add(testTimeout)}
	ctx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithListener(b.listen))
	b.ctx = ctx
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	// The first run starts the browser; it binds the browser's life to
	// ctx, so it has no timeout (chromedp docs, "Set a timeout").
	start := time.Now()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium (%s): %v", exe, err)
	}
	t.Logf("chromium started in %v", time.Since(start).Round(time.Millisecond))
	b.setup(lang)
	return b
}

// newPerson opens a tab in a new browser context of b's Chromium: another
// person, with cookies and storage of their own, as in a browser of their
// own, for the cost of a tab rather than of a second Chromium. The tab
// shares b's test and deadline.
func (b *browser) newPerson(who, lang string) *browser {
	b.t.Helper()
	p := &browser{t: b.t, srv: b.srv, deadline: b.deadline, who: who}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(p.listen))
	p.ctx = ctx
	b.t.Cleanup(cancel)
	// As for the browser, the first run binds the tab's life to ctx.
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("open a tab in a new browser context: %v", err)
	}
	p.setup(lang)
	return p
}

// listen records the tab's uncaught JavaScript exceptions.
func (b *browser) listen(ev any) {
	if e, ok := ev.(*cdpruntime.EventExceptionThrown); ok {
		b.mu.Lock()
		b.exceptions = append(b.exceptions, exceptionText(e))
		b.mu.Unlock()
	}
}

// setup makes the tab's requests ask for lang and, when the test fails,
// photograph it; uncaught exceptions fail the test at its end.
func (b *browser) setup(lang string) {
	t := b.t
	b.do("set Accept-Language", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
			Headers: network.Headers{"Accept-Language": acceptLanguage(lang)}})
		return err
	}))
	// Registered after the tab's cancel, so it runs first: the tab is
	// still there to be photographed.
	t.Cleanup(func() {
		if t.Failed() && !b.shot {
			b.snapshot("failed")
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, e := range b.exceptions {
			t.Errorf("uncaught JavaScript exception: %s", e)
		}
	})
}

func acceptLanguage(lang string) string {
	switch lang {
	case "fr":
		return "fr-CA,fr;q=0.9,en;q=0.5"
	case "en":
		return "en-CA,en;q=0.9,fr;q=0.5"
	}
	return lang
}

func exceptionText(e *cdpruntime.EventExceptionThrown) string {
	d := e.ExceptionDetails
	if d == nil {
		return "(no details)"
	}
	msg := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		msg += " " + d.Exception.Description
	}
	return fmt.Sprintf("%s:%d: %s", d.URL, d.LineNumber+1, msg)
}

// runCtx bounds one call by the test's deadline.
func (b *browser) runCtx() (context.Context, context.CancelFunc) {
	return context.WithDeadline(b.ctx, b.deadline)
}

// do runs actions that return nothing; what names the step in failures.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := b.runCtx()
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.fatalf("%s: %v", what, err)
	}
	b.step++
	if os.Getenv(envShow) == "1" {
		b.snapshot(fmt.Sprintf("%02d-%s", b.step, what))
	}
}

// get runs one action returning a value.
func get[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := b.runCtx()
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.fatalf("%s: %v", what, err)
	}
	return v
}

// fatalf fails the test after recording the page as it is.
func (b *browser) fatalf(format string, args ...any) {
	b.t.Helper()
	b.snapshot("failed")
	b.shot = true
	b.t.Fatalf(b.prefix()+format, args...)
}

// snapshot logs the page's address and main text and writes a screenshot:
// to t.TempDir() normally, to a kept directory with SCEAU_E2E_SHOW=1.
func (b *browser) snapshot(name string) {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	dir := b.t.TempDir()
	if os.Getenv(envShow) == "1" {
		showOnce.Do(func() {
			showDir, _ = os.MkdirTemp("", "sceau-e2e-shots-")
		})
		dir = filepath.Join(showDir, strings.NewReplacer("/", "_").Replace(b.t.Name()))
		os.MkdirAll(dir, 0o755)
	}
	file := filepath.Join(dir, safeName(b.who+name)+".png")
	if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		if err := os.WriteFile(file, shot, 0o644); err == nil {
			if name == "failed" || os.Getenv(envShow) == "1" {
				b.t.Logf("%sscreenshot of %s: %s", b.prefix(), loc, file)
			}
		}
	}
	if name == "failed" {
		text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		if err == nil {
			if len(text) > 3000 {
				text = text[:3000] + "…"
			}
			b.t.Logf("%spage %s says:\n%s", b.prefix(), loc, text)
		}
	}
}

// prefix names the tab in logs when the test has several.
func (b *browser) prefix() string {
	if b.who == "" {
		return ""
	}
	return "[" + b.who + "] "
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
}

// open loads a path of the server (or an absolute URL) and waits for the
// document to be ready.
func (b *browser) open(pathOrURL string) {
	b.t.Helper()
	u := pathOrURL
	if strings.HasPrefix(u, "/") {
		u = b.srv.URL + u
	}
	b.do("open "+pathOrURL, chromedp.Navigate(u), chromedp.WaitReady(chromedp.CSS("body")))
}

// fill replaces the value of a field by typing value into it, so the
// page sees the key and input events a person would cause.
func (b *browser) fill(sel, value string) {
	b.t.Helper()
	// The field is emptied by script (chromedp.Clear fails on an empty
	// textarea, SetValue on an empty value); the typing fires the events.
	clear := fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (e) { e.value = ""; } return e !== null; })()`, jsString(sel))
	b.do("fill "+sel, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		found, err := chromedp.Evaluate[bool](clear)(ctx, tg)
		if err == nil && !found {
			err = fmt.Errorf("no element matches %s", sel)
		}
		return err
	}), chromedp.SendKeys(chromedp.CSS(sel), value))
}

// choose selects an option of a <select> by value.
func (b *browser) choose(sel, value string) {
	b.t.Helper()
	b.do("choose "+sel, chromedp.SetValue(chromedp.CSS(sel), value))
}

// upload sets the files of a file input (the browser fires change).
func (b *browser) upload(sel string, files ...string) {
	b.t.Helper()
	b.do("upload to "+sel, chromedp.SetUploadFiles(chromedp.CSS(sel), files))
}

// drop drops a file on the element, as a person dragging it from their
// files would: dragenter, dragover and drop events whose DataTransfer
// holds a File of the given bytes. (Chromium's input domain cannot drag
// files from outside the page in headless mode; the page's script sees
// the same events.)
func (b *browser) drop(sel, name, mime string, data []byte) {
	b.t.Helper()
	script := fmt.Sprintf(`(() => {
		const zone = document.querySelector(%s);
		if (zone === null) { return false; }
		const bin = atob(%s), bytes = new Uint8Array(bin.length);
		for (let i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
		const dt = new DataTransfer();
		dt.items.add(new File([bytes], %s, {type: %s}));
		for (const type of ["dragenter", "dragover", "drop"]) {
			zone.dispatchEvent(new DragEvent(type, {dataTransfer: dt, bubbles: true, cancelable: true}));
		}
		return true;
	})()`, jsString(sel), jsString(base64.StdEncoding.EncodeToString(data)), jsString(name), jsString(mime))
	b.do("drop "+name+" on "+sel, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		found, err := chromedp.Evaluate[bool](script)(ctx, tg)
		if err == nil && !found {
			err = fmt.Errorf("no element matches %s", sel)
		}
		return err
	}))
}

// click clicks the element and, when next is not empty, waits for an
// element matching next to be visible (the page the click leads to). next
// must not match on the page clicked from.
func (b *browser) click(sel, next string) {
	b.t.Helper()
	actions := []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.CSS(sel))}
	if next != "" {
		actions = append(actions, chromedp.WaitVisible(chromedp.CSS(next)))
	}
	b.do("click "+sel, actions...)
}

// waitVisible waits until an element matching sel is visible.
func (b *browser) waitVisible(sel string) {
	b.t.Helper()
	b.do("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
}

// waitJS waits until the JavaScript expression is truthy.
func (b *browser) waitJS(what, expr string) {
	b.t.Helper()
	b.do(what, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond))(ctx, tg)
		return err
	}))
}

// The readers below look at the page as it is: they do not wait for the
// element (chromedp's queries would wait until the test's deadline), and
// fail the test at once when nothing matches. Wait first with click's next
// selector, waitVisible or waitJS.

// text returns the rendered text (innerText) of the first element
// matching sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(b.read(sel, "text", `e.innerText`))
}

// value returns the value of a form field.
func (b *browser) value(sel string) string {
	b.t.Helper()
	return b.read(sel, "value", `e.value`)
}

// attr returns an attribute of the first element matching sel ("" when
// the element has no such attribute).
func (b *browser) attr(sel, name string) string {
	b.t.Helper()
	return b.read(sel, "attribute "+name, `(e.getAttribute(`+jsString(name)+`) || "")`)
}

// read evaluates expr with e bound to the first element matching sel.
func (b *browser) read(sel, what, expr string) string {
	b.t.Helper()
	type result struct {
		Found bool
		Value string
	}
	r := get(b, what+" of "+sel, chromedp.Evaluate[result](fmt.Sprintf(
		`(() => { const e = document.querySelector(%s); return e === null ? {Found: false, Value: ""} : {Found: true, Value: String(%s)}; })()`,
		jsString(sel), expr)))
	if !r.Found {
		b.fatalf("%s of %s: no element matches on %s", what, sel, b.location())
	}
	return r.Value
}

// jsString quotes s as a JavaScript string literal (JSON strings are,
// and encoding/json escapes U+2028 and U+2029 too).
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// count returns how many elements match sel now, without waiting.
func (b *browser) count(sel string) int {
	b.t.Helper()
	return get(b, "count "+sel, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(sel))))
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	return get(b, "evaluate "+expr, chromedp.Evaluate[T](expr))
}

// location returns the address of the page.
func (b *browser) location() string {
	b.t.Helper()
	return get(b, "location", chromedp.Location())
}

// path returns the path and query of the page's address.
func (b *browser) path() string {
	b.t.Helper()
	loc := b.location()
	u, err := url.Parse(loc)
	if err != nil {
		b.fatalf("page address %q: %v", loc, err)
	}
	return u.RequestURI()
}

// key presses keys (kb constants or text) on the focused element.
func (b *browser) key(keys string) {
	b.t.Helper()
	b.do(fmt.Sprintf("press %q", keys), chromedp.KeyEvent(keys))
}

// focused returns the id of the element that has the focus.
func (b *browser) focused() string {
	b.t.Helper()
	return eval[string](b, `document.activeElement ? document.activeElement.id : ""`)
}

// htmlLang is the lang attribute of the page's root element.
func (b *browser) htmlLang() string {
	b.t.Helper()
	return eval[string](b, `document.documentElement.lang`)
}

// Test files made on the fly.

// writePNG writes a small valid PNG (a two-colour badge) and returns its path.
func writePNG(t *testing.T, name string) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			c := color.RGBA{0x1d, 0x4e, 0xd8, 0xff}
			if (x-32)*(x-32)+(y-32)*(y-32) < 400 {
				c = color.RGBA{0xf5, 0x9e, 0x0b, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, name, buf.Bytes())
}

// minimalPDF is a one-page PDF with a line of text, enough for a server
// that sniffs content types and for a PDF reader.
const minimalPDF = "%PDF-1.4\n" +
	"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n" +
	"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n" +
	"4 0 obj<</Length 44>>stream\nBT /F1 18 Tf 72 770 Td (Attestation) Tj ET\nendstream endobj\n" +
	"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n" +
	"trailer<</Root 1 0 R>>\n%%EOF\n"

// pdfWith is a one-page PDF showing text (ASCII letters, digits, spaces,
// and accents as Latin-1 bytes), so that each test file has bytes of its
// own.
func pdfWith(text string) []byte {
	var latin []byte
	for _, r := range text {
		switch {
		case r == '(' || r == ')' || r == '\\':
			latin = append(latin, '\\', byte(r))
		case r < 0x100:
			latin = append(latin, byte(r))
		default:
			latin = append(latin, '?')
		}
	}
	stream := "BT /F1 14 Tf 72 770 Td (" + string(latin) + ") Tj ET"
	return []byte("%PDF-1.4\n" +
		"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n" +
		"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
		"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n" +
		fmt.Sprintf("4 0 obj<</Length %d>>stream\n%s\nendstream endobj\n", len(stream), stream) +
		"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>endobj\n" +
		"trailer<</Root 1 0 R>>\n%%EOF\n")
}

func writePDF(t *testing.T, name string) string {
	t.Helper()
	return writeFile(t, name, []byte(minimalPDF))
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// unique returns a short random suffix for names, slugs and addresses.
func unique() string {
	var b [3]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
