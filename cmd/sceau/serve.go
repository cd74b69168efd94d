package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/sceau/sceau/internal/accounts"
	"github.com/sceau/sceau/internal/api"
	"github.com/sceau/sceau/internal/blob"
	"github.com/sceau/sceau/internal/config"
	"github.com/sceau/sceau/internal/fetch"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/jobs"
	"github.com/sceau/sceau/internal/keys"
	"github.com/sceau/sceau/internal/mail"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/web"
	"github.com/sceau/sceau/internal/webhooks"
)

// app is everything a running server holds. cmd/sceau is the one place
// that builds the layers (DESIGN.md, convention 1).
type app struct {
	cfg     *config.Config
	db      *store.DB
	blobs   blobStore
	service *issuing.Service
	mailer  *mail.Mailer
	events  *webhooks.Emitter
	runner  *jobs.Runner
	log     *slog.Logger
}

// openApp loads the configuration, opens and migrates the database and
// builds the services.
func openApp(ctx context.Context, e *env, args []string) (*app, error) {
	cfg, err := config.Load(args, e.getenv)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	db, err := store.Open(ctx, cfg.DatabaseSource())
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	master, err := keys.LoadMasterKey(cfg.DataDir, e.getenv)
	if err != nil {
		db.Close()
		return nil, err
	}
	if master.Created() {
		log.Warn("created a new master key: back it up, issuer keys cannot be read without it", "file", filepath.Join(cfg.DataDir, keys.MasterKeyFile))
	}
	blobs, err := openBlobs(ctx, cfg)
	if err != nil {
		db.Close()
		return nil, err
	}
	// Secrets the server keeps for its users (tokens of their connections
	// to other hosts) are sealed with the master key, as issuer keys are.
	db.SetSealer(master)
	a := &app{cfg: cfg, db: db, blobs: blobs, log: log}
	// Awards made by any command are announced through the durable
	// queue; the server's runner delivers them.
	if a.mailer, a.runner, err = newMail(a); err != nil {
		blobs.Close()
		db.Close()
		return nil, err
	}
	// Webhooks hear of awards made, claimed and revoked in the
	// transactions that make them, from any command.
	a.events = webhooks.NewEmitter(db, webhooks.EmitterOptions{BaseURL: cfg.BaseURL, Notify: a.runner.Notify})
	db.SetAwardEvents(a.events.EmitAward)
	a.service, err = issuing.New(issuing.Config{Store: db, Blobs: blobs, Master: master, BaseURL: cfg.BaseURL,
		SuspensionStatus: cfg.SuspensionStatus,
		Announce:         issuing.Announce(a.events.OnAward(webhooks.AnnounceFunc(announcer(db, a.mailer, cfg.BaseURL, a.runner.Notify)))),
		Decided:          decisionNotice(db, a.mailer, cfg.BaseURL)})
	if err != nil {
		blobs.Close()
		db.Close()
		return nil, err
	}
	a.runner.Handle(issuing.BatchJobKind, a.service.RunBatchJob)
	return a, nil
}

// vcIssuerSlug is the issuer the VC API signs for, and attestations:
// --vc-issuer, else the demo issuer.
func vcIssuerSlug(cfg *config.Config) string {
	if cfg.VCIssuer != "" {
		return cfg.VCIssuer
	}
	return demoIssuer
}

// blobStore is a blob.Store that holds resources until closed.
type blobStore interface {
	blob.Store
	Close() error
}

// openBlobs opens the file store: S3-compatible when SCEAU_BLOB_URL is
// set, else local disk in the data directory.
func openBlobs(ctx context.Context, cfg *config.Config) (blobStore, error) {
	if !cfg.BlobURL.IsSet() {
		return blob.NewDisk(filepath.Join(cfg.DataDir, "files"))
	}
	s3cfg, err := blob.ParseS3URL(cfg.BlobURL.Value())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", config.EnvBlobURL, err)
	}
	s, err := blob.NewS3(ctx, s3cfg)
	if err != nil {
		return nil, fmt.Errorf("%s (%s): %w", config.EnvBlobURL, s3cfg, err)
	}
	return s, nil
}

func (a *app) Close() {
	a.blobs.Close()
	a.db.Close()
}

func runServe(e *env, args []string) (int, error) {
	parent := e.ctx
	if parent == nil {
		parent = context.Background()
	}
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := openApp(ctx, e, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) || errors.Is(err, errUsage) {
			return exitUsage, err
		}
		return exitInvalid, err
	}
	defer a.Close()
	if a.cfg.Demo {
		if err := seedDemo(ctx, a); err != nil {
			return exitInvalid, fmt.Errorf("demo data: %w", err)
		}
	}
	runner := a.runner
	if a.cfg.SMTPURL.IsSet() {
		a.log.Info("e-mail goes through SMTP", "smtp", a.cfg.SMTPURL)
	} else {
		a.log.Info("no SCEAU_SMTP_URL: e-mails are written to the outbox folder", "dir", filepath.Join(a.cfg.DataDir, "outbox"))
	}
	acc, err := accounts.New(accounts.Config{DB: a.db, Notifier: notifier{a.mailer}, BaseURL: a.cfg.BaseURL})
	if err != nil {
		return exitInvalid, err
	}
	allow, err := fetch.ParseAllowList(strings.Join(a.cfg.FetchAllow, ","))
	if err != nil {
		return exitUsage, fmt.Errorf("%w: %s: %v", errUsage, config.EnvFetchAllow, err)
	}
	client := fetch.New(fetch.Options{Allow: allow, UserAgent: "Sceau (+" + a.cfg.BaseURL + ")"})
	// Portfolios' connections to other hosts are pulled in the
	// background, with the pages' code, every --connections-interval.
	var connections *web.ConnectionPuller
	if a.cfg.ConnectionsInterval > 0 {
		connections = &web.ConnectionPuller{Every: a.cfg.ConnectionsInterval}
	}
	pages, err := web.New(web.Options{Service: a.service, Accounts: acc, Store: a.db, Blobs: a.blobs, BaseURL: a.cfg.BaseURL, Logger: a.log,
		Fetcher: client, Notify: runner.Notify, Connections: connections,
		// Confirmed attestations are signed by the VC API's issuer.
		Attestations: web.AttestationOptions{IssuerSlug: vcIssuerSlug(a.cfg), Notifier: notifier{a.mailer}}})
	if err != nil {
		return exitInvalid, err
	}
	vcIssuer := vcIssuerSlug(a.cfg)
	vc, err := api.NewVC(api.VCOptions{Service: a.service, Store: a.db, IssuerSlug: vcIssuer, BaseURL: a.cfg.BaseURL,
		Logger: a.log, Fetcher: client})
	if err != nil {
		return exitInvalid, err
	}
	// Imported badges are re-checked at their source every hour, through
	// the same client; the first run is queued at start-up.
	rc := &issuing.Rechecker{Store: a.db, Options: issuing.RecheckOptions{Fetcher: client}}
	runner.Handle(issuing.RecheckJobKind, rc.RunJob)
	if err := rc.Schedule(ctx); err != nil {
		return exitInvalid, err
	}
	if connections != nil {
		runner.Handle(web.ConnectionPullJobKind, connections.RunJob)
		if err := connections.Schedule(ctx); err != nil {
			return exitInvalid, err
		}
	}
	// Webhook deliveries go through the SSRF-safe client too.
	webhooks.NewDeliverer(a.db, client, webhooks.DelivererOptions{Logger: a.log}).Register(runner)
	integ, err := api.NewIntegration(api.IntegrationOptions{Service: a.service, Store: a.db, BaseURL: a.cfg.BaseURL, Logger: a.log})
	if err != nil {
		return exitInvalid, err
	}
	ob3, err := api.NewOB3(api.OB3Options{Store: a.db, BaseURL: a.cfg.BaseURL, Accounts: acc, Fetcher: client, Logger: a.log})
	if err != nil {
		return exitInvalid, err
	}
	// The APIs have their own body limits and headers: they sit beside
	// the pages, not inside them. /oauth/authorize is a page (consent).
	handler := http.NewServeMux()
	handler.Handle(api.VCPrefix+"/", vc)
	handler.Handle(api.IntegrationPrefix+"/", integ)
	handler.Handle(api.OpenAPIPath, integ)
	handler.Handle(api.DocsPath, integ)
	handler.Handle(api.OB3Prefix+"/", ob3)
	for _, p := range api.OAuthPaths {
		handler.Handle(p, ob3)
	}
	handler.Handle("/", pages)
	// The job runner (e-mail) stops with the server and finishes the job
	// at hand; unfinished jobs wait in the database for the next start.
	runnerDone := make(chan error, 1)
	go func() { runnerDone <- runner.Run(ctx) }()
	defer func() { stop(); <-runnerDone }()
	srv := &http.Server{
		Addr:              a.cfg.Addr,
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return exitInvalid, err
	}
	if e.onListen != nil {
		e.onListen(ln.Addr().String())
	}
	a.log.Info("sceau serving", "addr", ln.Addr().String(), "base_url", a.cfg.BaseURL, "database", a.db.Dialect(), "data_dir", a.cfg.DataDir, "demo", a.cfg.Demo)
	errc := make(chan error, 1)
	go func() {
		if a.cfg.TLSCert != "" {
			errc <- srv.ServeTLS(ln, a.cfg.TLSCert, a.cfg.TLSKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return exitInvalid, err
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return exitInvalid, err
	}
	return exitOK, nil
}

func runMigrate(e *env, args []string) (int, error) {
	a, err := openApp(context.Background(), e, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) || errors.Is(err, errUsage) {
			return exitUsage, err
		}
		return exitInvalid, err
	}
	defer a.Close()
	applied, err := a.db.AppliedMigrations(context.Background())
	if err != nil {
		return exitInvalid, err
	}
	fmt.Fprintf(e.stdout, "database %s is up to date: %d migration(s) applied\n", a.db.Dialect(), len(applied))
	return exitOK, nil
}
