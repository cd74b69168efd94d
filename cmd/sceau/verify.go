package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/sceau/sceau/did"
	"github.com/sceau/sceau/internal/fetch"
	"github.com/sceau/sceau/verify"
)

func runVerify(e *env, args []string) (int, error) {
	fs := newFlags(e, "verify", "[--email E] [--json] [--documents DIR] [--now TIME] [--lang fr|en] FILE...")
	email := fs.String("email", "", "check that the badge was issued to this e-mail address")
	asJSON := fs.Bool("json", false, "print the full reports as JSON")
	docs := fs.String("documents", "", "verify offline: DIR/index.json maps URLs and DIDs to files in DIR")
	nowFlag := fs.String("now", "", "verify as of this time (RFC 3339), instead of now")
	lang := fs.String("lang", "", "language of the messages: fr or en (default: from LANG)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return exitUsage, err
	}
	if len(pos) == 0 {
		return exitUsage, fmt.Errorf("%w: verify takes at least one FILE", errUsage)
	}
	opts := verify.Options{Email: *email}
	if *nowFlag != "" {
		t, err := time.Parse(time.RFC3339, *nowFlag)
		if err != nil {
			return exitUsage, fmt.Errorf("%w: --now: %v", errUsage, err)
		}
		opts.Now = t
	}
	if *docs != "" {
		d, err := verify.OpenDocuments(*docs)
		if err != nil {
			return exitUsage, fmt.Errorf("%w: --documents: %v", errUsage, err)
		}
		opts.Fetcher = d
		opts.Resolver = &did.MultiResolver{Web: d}
	}
	var client *fetch.Client
	if *docs == "" {
		// Online: issuer documents, keys and status lists are fetched
		// through the one SSRF-safe client; SCEAU_FETCH_ALLOW opens private
		// hosts (an intranet issuer, a test server).
		allow, err := fetch.ParseAllowList(e.getenv(fetch.EnvAllow))
		if err != nil {
			return exitUsage, fmt.Errorf("%w: %s: %v", errUsage, fetch.EnvAllow, err)
		}
		client = fetch.New(fetch.Options{Allow: allow, UserAgent: "Sceau (verify)"})
		opts.Fetcher = client
	}
	if *lang == "" {
		*lang = languageFromEnv(e)
	}

	code := exitOK
	var reports []fileReport
	for _, name := range pos {
		data, err := verifyInput(e, client, name)
		if err != nil {
			return exitUsage, err
		}
		r := verify.Verify(context.Background(), data, opts)
		if r.Verdict != verify.Valid {
			code = exitInvalid
		}
		if *asJSON {
			reports = append(reports, fileReport{File: name, Report: r})
			continue
		}
		printReport(e, name, r, *lang)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(reports); err != nil {
			return exitInvalid, err
		}
	}
	return code, nil
}

// verifyInput reads a file, or fetches an http(s) URL (a hosted OB 2.0
// assertion, a credential's address) when online.
func verifyInput(e *env, client *fetch.Client, name string) ([]byte, error) {
	if !strings.HasPrefix(name, "https://") && !strings.HasPrefix(name, "http://") {
		return readInput(e, name)
	}
	if client == nil {
		return nil, fmt.Errorf("%w: %s: URLs are not fetched with --documents", errUsage, name)
	}
	resp, err := client.Get(context.Background(), name, fetch.Request{Accept: append(append([]string{}, fetch.JSONTypes...), fetch.ImageTypes...)})
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", name, err)
	}
	return resp.Body, nil
}

type fileReport struct {
	File string `json:"file"`
	*verify.Report
}

var verdictWords = map[verify.Verdict]verify.Text{
	verify.Valid:       {EN: "VALID", FR: "VALIDE"},
	verify.Revoked:     {EN: "REVOKED", FR: "RÉVOQUÉ"},
	verify.Suspended:   {EN: "SUSPENDED", FR: "SUSPENDU"},
	verify.Expired:     {EN: "EXPIRED", FR: "EXPIRÉ"},
	verify.NotYetValid: {EN: "NOT YET VALID", FR: "PAS ENCORE VALIDE"},
	verify.Invalid:     {EN: "NOT VALID", FR: "NON VALIDE"},
}

var outcomeMarks = map[verify.Outcome]string{
	verify.Pass: "ok  ", verify.Fail: "FAIL", verify.Warn: "warn", verify.Skip: "--  ",
}

func printReport(e *env, name string, r *verify.Report, lang string) {
	fmt.Fprintf(e.stdout, "%s: %s — %s\n", name, verdictWords[r.Verdict].In(lang), r.Reason.In(lang))
	if r.Achievement != nil && r.Achievement.Name != "" {
		fmt.Fprintf(e.stdout, "  badge:  %s\n", r.Achievement.Name)
	}
	if r.Issuer != nil {
		fmt.Fprintf(e.stdout, "  issuer: %s %s\n", r.Issuer.Name, r.Issuer.ID)
	}
	for _, c := range r.Checks {
		fmt.Fprintf(e.stdout, "  %s %-13s %s", outcomeMarks[c.Outcome], c.Code, c.Message.In(lang))
		if c.Detail != "" && c.Outcome != verify.Pass {
			fmt.Fprintf(e.stdout, " (%s)", c.Detail)
		}
		fmt.Fprintln(e.stdout)
	}
	// A CLR's credentials, each with its own verdict.
	for i, inc := range r.Included {
		name := ""
		if inc.Achievement != nil {
			name = inc.Achievement.Name
		}
		issuer := ""
		if inc.Issuer != nil {
			issuer = inc.Issuer.Name
		}
		fmt.Fprintf(e.stdout, "  %d. %s — %s (%s)\n", i+1, verdictWords[inc.Verdict].In(lang), name, issuer)
	}
}

// languageFromEnv picks French when the locale says so.
func languageFromEnv(e *env) string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := e.getenv(k); v != "" {
			if strings.HasPrefix(v, "fr") {
				return "fr"
			}
			return "en"
		}
	}
	return "en"
}
