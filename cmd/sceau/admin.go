package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/issuing"
)

// serverFlags are the options of `sceau serve` that the administration
// commands need to reach the same data; they are handed to config.Load.
type serverFlags struct {
	dataDir, database, baseURL *string
	dev                        *bool
}

func addServerFlags(fs *flag.FlagSet) serverFlags {
	return serverFlags{
		dataDir:  fs.String("data-dir", "", "data directory (default ./data, or SCEAU_DATA_DIR)"),
		database: fs.String("database", "", "PostgreSQL URL or SQLite file (default: DIR/sceau.db, or SCEAU_DATABASE)"),
		baseURL:  fs.String("base-url", "", "public URL of the server (or SCEAU_BASE_URL): credentials are issued under it"),
		dev:      fs.Bool("dev", false, "development mode: allow a base URL other machines cannot reach"),
	}
}

func (f serverFlags) args() []string {
	var a []string
	for name, v := range map[string]string{"data-dir": *f.dataDir, "database": *f.database, "base-url": *f.baseURL} {
		if v != "" {
			a = append(a, "--"+name, v)
		}
	}
	if *f.dev {
		a = append(a, "--dev")
	}
	return a
}

// withApp parses a subcommand's flags, opens the application and runs fn.
func withApp(e *env, fs *flag.FlagSet, sf serverFlags, args []string, fn func(ctx context.Context, a *app, pos []string) error) (int, error) {
	pos, err := parseFlags(fs, args)
	if err != nil {
		return exitUsage, err
	}
	ctx := context.Background()
	a, err := openApp(ctx, e, sf.args())
	if err != nil {
		if errors.Is(err, errUsage) {
			return exitUsage, err
		}
		return exitInvalid, err
	}
	defer a.Close()
	if err := fn(ctx, a, pos); err != nil {
		if errors.Is(err, errUsage) {
			return exitUsage, err
		}
		return exitInvalid, err
	}
	return exitOK, nil
}

// runIssuer is `sceau issuer create`.
func runIssuer(e *env, args []string) (int, error) {
	if len(args) == 0 || args[0] != "create" {
		return exitUsage, fmt.Errorf("%w: sceau issuer create --slug S --name N [--url U] [--email E] [--language fr|en] [--description D]", errUsage)
	}
	fs := newFlags(e, "issuer create", "--slug S --name N [options]")
	sf := addServerFlags(fs)
	slug := fs.String("slug", "", "short name in URLs (letters, digits, -)")
	name := fs.String("name", "", "the organisation's name")
	url := fs.String("url", "", "its web site (default: the server's base URL)")
	email := fs.String("email", "", "its contact address")
	lang := fs.String("language", "fr", "fr or en: the default language of its badges")
	desc := fs.String("description", "", "a description")
	return withApp(e, fs, sf, args[1:], func(ctx context.Context, a *app, _ []string) error {
		site := *url
		if site == "" {
			// An issuer without a site of its own is reached through Sceau.
			site = a.cfg.BaseURL
		}
		iss := &badge.Issuer{Slug: *slug, Name: *name, URL: site, Email: *email, Language: *lang, Description: *desc}
		if err := a.service.CreateIssuer(ctx, iss); err != nil {
			return explain(err)
		}
		fmt.Fprintln(e.stdout, a.cfg.BaseURL+"/issuers/"+iss.Slug)
		return nil
	})
}

// runBadge is `sceau badge create`.
func runBadge(e *env, args []string) (int, error) {
	if len(args) == 0 || args[0] != "create" {
		return exitUsage, fmt.Errorf("%w: sceau badge create --issuer SLUG --slug S --name N --description D --criteria TEXT [options]", errUsage)
	}
	fs := newFlags(e, "badge create", "--issuer SLUG --slug S --name N --description D --criteria TEXT [options]")
	sf := addServerFlags(fs)
	issuer := fs.String("issuer", "", "issuer slug")
	slug := fs.String("slug", "", "short name in URLs")
	name := fs.String("name", "", "badge name")
	desc := fs.String("description", "", "what the badge attests")
	criteria := fs.String("criteria", "", "how to earn it (Markdown)")
	criteriaURL := fs.String("criteria-url", "", "a page describing the criteria")
	lang := fs.String("language", "fr", "fr or en")
	kind := fs.String("type", "", "achievement type (Open Badges vocabulary, e.g. Course)")
	tags := fs.String("tags", "", "comma-separated tags")
	days := fs.Int("validity-days", 0, "awards expire after this many days (0: never)")
	image := fs.String("image", "", "badge image: PNG or SVG, checked and size-limited")
	return withApp(e, fs, sf, args[1:], func(ctx context.Context, a *app, _ []string) error {
		iss, err := a.db.GetIssuerBySlug(ctx, *issuer)
		if err != nil {
			return explain(err)
		}
		b := &badge.Badge{IssuerID: iss.ID, Slug: *slug, Name: *name, Description: *desc, CriteriaNarrative: *criteria,
			CriteriaURL: *criteriaURL, Language: *lang, AchievementType: *kind, ValidityDays: *days}
		if *image != "" {
			data, err := readInput(e, *image)
			if err != nil {
				return err
			}
			if b.ImageKey, b.ImageType, err = a.service.StoreImage(ctx, "image", data); err != nil {
				return fmt.Errorf("--image %s: %w", *image, err)
			}
		}
		for _, t := range strings.Split(*tags, ",") {
			if t = strings.TrimSpace(t); t != "" {
				b.Tags = append(b.Tags, t)
			}
		}
		if err := a.service.CreateBadge(ctx, b); err != nil {
			return explain(err)
		}
		fmt.Fprintln(e.stdout, a.cfg.BaseURL+"/issuers/"+iss.Slug+"/badges/"+b.Slug)
		return nil
	})
}

// runAward is `sceau award`: one recipient, or every row of a CSV file,
// all checked before anything is issued.
func runAward(e *env, args []string) (int, error) {
	fs := newFlags(e, "award", "--issuer SLUG --badge SLUG (--email E | --did DID | --csv FILE [--skip-invalid]) [--name N] [--narrative T]")
	sf := addServerFlags(fs)
	issuer := fs.String("issuer", "", "issuer slug")
	badgeSlug := fs.String("badge", "", "badge slug")
	email := fs.String("email", "", "recipient's e-mail address")
	didFlag := fs.String("did", "", "recipient's DID")
	name := fs.String("name", "", "recipient's name (shown on the badge page)")
	narrative := fs.String("narrative", "", "what the recipient did")
	csvPath := fs.String("csv", "", "CSV file, one recipient a row (email, name, narrative, evidence_url)")
	skip := fs.Bool("skip-invalid", false, "with --csv: issue the valid rows even when others are invalid")
	return withApp(e, fs, sf, args, func(ctx context.Context, a *app, _ []string) error {
		iss, err := a.db.GetIssuerBySlug(ctx, *issuer)
		if err != nil {
			return explain(err)
		}
		b, err := a.db.GetBadgeBySlug(ctx, iss.ID, *badgeSlug)
		if err != nil {
			return explain(err)
		}
		now := time.Now().UTC()
		var ins []issuing.AwardInput
		if *csvPath != "" {
			f, err := os.Open(*csvPath)
			if err != nil {
				return err
			}
			defer f.Close()
			rows, rowErrs := issuing.ParseCSVWith(f, issuing.CSVOptions{SkipInvalid: *skip})
			for _, re := range rowErrs {
				fmt.Fprintf(e.stderr, "%s: %s\n", *csvPath, re.Error())
			}
			if len(rowErrs) > 0 && !*skip {
				return fmt.Errorf("%d invalid row(s): nothing issued (fix them, or use --skip-invalid)", len(rowErrs))
			}
			ins = rows
		} else {
			if (*email == "") == (*didFlag == "") {
				return fmt.Errorf("%w: give --email or --did (or --csv)", errUsage)
			}
			ins = []issuing.AwardInput{{Email: *email, DID: *didFlag, Name: *name, Narrative: *narrative}}
		}
		for i := range ins {
			ins[i].BadgeID = b.ID
			ins[i].AwardedAt, ins[i].ValidFrom = now, now
			if ins[i].Language == "" {
				ins[i].Language = b.Language
			}
		}
		awards, err := a.service.AwardMany(ctx, ins)
		if err != nil {
			return explain(err)
		}
		for _, aw := range awards {
			fmt.Fprintln(e.stdout, a.cfg.BaseURL+"/awards/"+aw.ID)
		}
		return nil
	})
}

// runRevoke is `sceau revoke --reason R AWARD_ID`.
func runRevoke(e *env, args []string) (int, error) {
	fs := newFlags(e, "revoke", "--reason R AWARD_ID")
	sf := addServerFlags(fs)
	reason := fs.String("reason", "", "why the badge is revoked (shown to verifiers)")
	return withApp(e, fs, sf, args, func(ctx context.Context, a *app, pos []string) error {
		if len(pos) != 1 || *reason == "" {
			return fmt.Errorf("%w: revoke takes --reason and one AWARD_ID", errUsage)
		}
		return explain(a.service.Revoke(ctx, pos[0], *reason))
	})
}

// explain turns a domain error into the message its user should read.
func explain(err error) error {
	var be *badge.Error
	if errors.As(err, &be) && be.Kind != badge.Internal {
		if be.Field != "" {
			return fmt.Errorf("%s: %s", be.Field, be.Message)
		}
		return errors.New(be.Message)
	}
	return err
}

// runMember is `sceau member add`: gives an existing account a role in an
// organisation, e.g. the first owner of an issuer created from the
// command line.
func runMember(e *env, args []string) (int, error) {
	if len(args) == 0 || args[0] != "add" {
		return exitUsage, fmt.Errorf("%w: sceau member add --issuer S --email E [--role owner|editor|reviewer|awarder]", errUsage)
	}
	fs := newFlags(e, "member add", "--issuer S --email E [--role R]")
	sf := addServerFlags(fs)
	issuer := fs.String("issuer", "", "the issuer's slug")
	email := fs.String("email", "", "an address of the account (it signs up first)")
	role := fs.String("role", "owner", "owner, editor, reviewer or awarder")
	return withApp(e, fs, sf, args[1:], func(ctx context.Context, a *app, _ []string) error {
		iss, err := a.db.GetIssuerBySlug(ctx, *issuer)
		if err != nil {
			return explain(err)
		}
		u, err := a.db.GetUserByEmail(ctx, *email)
		if err != nil {
			return explain(err)
		}
		if err := a.db.AddMember(ctx, &badge.Membership{IssuerID: iss.ID, UserID: u.ID, Role: badge.Role(*role)}); err != nil {
			return explain(err)
		}
		fmt.Fprintf(e.stdout, "%s is %s of %s\n", u.Name, *role, iss.Name)
		return nil
	})
}
