// Command sceau is Sceau's command-line tool and, later, its server.
//
//	sceau keygen KEYFILE
//	sceau sign --key KEYFILE [--format di|jwt] FILE
//	sceau verify [--email E] [--json] [--documents DIR] [--now TIME] FILE...
//	sceau bake --image IMG CREDENTIAL
//	sceau unbake IMG
//	sceau serve [--addr A] [--base-url URL] [--data-dir DIR] [--database DSN] [--demo] [--dev]
//	sceau migrate [--data-dir DIR] [--database DSN]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// Exit codes shared by every subcommand; verify uses exitInvalid when any
// input is not valid.
const (
	exitOK      = 0
	exitInvalid = 1
	exitUsage   = 2
)

const usage = `usage: sceau COMMAND [options]

commands:
  keygen KEYFILE                          write a new Ed25519 key, print its did:key
  sign --key KEYFILE [--format di|jwt] FILE
                                          sign an unsigned Open Badges 3.0 credential
  verify [--email E] [--json] [--documents DIR] [--now TIME] FILE...
                                          verify badges (JSON, JWT, PNG, SVG)
  bake --image IMG CREDENTIAL             bake a credential into a PNG or SVG (to stdout)
  unbake IMG                              print the credential baked into an image
  serve [--addr A] [--base-url URL] [--data-dir DIR] [--database DSN] [--demo] [--dev]
                                          run the server (SQLite in DIR by default)
  migrate [--data-dir DIR] [--database DSN]
                                          bring the database schema up to date
  issuer create --slug S --name N         create an issuer (organisation) and its key
  badge create --issuer SLUG --slug S --name N --description D --criteria TEXT
                                          create a badge definition
  award --issuer SLUG --badge SLUG (--email E | --did DID | --csv FILE [--skip-invalid])
                                          award a badge; every CSV row is checked first
  revoke --reason R AWARD_ID              revoke an award
  member add --issuer S --email E [--role R]  give an account a role in an organisation
  backup DEST                             consistent copy of a SQLite installation, while it runs

Run 'sceau COMMAND -h' for a command's options.
`

// errUsage marks a command-line mistake: exit 2, with the usage printed.
var errUsage = errors.New("usage")

type command struct {
	run func(env *env, args []string) (int, error)
}

var commands = map[string]command{
	"keygen":  {runKeygen},
	"sign":    {runSign},
	"verify":  {runVerify},
	"bake":    {runBake},
	"unbake":  {runUnbake},
	"serve":   {runServe},
	"migrate": {runMigrate},
	"issuer":  {runIssuer},
	"badge":   {runBadge},
	"award":   {runAward},
	"revoke":  {runRevoke},
	"member":  {runMember},
	"backup":  {runBackup},
}

// env is what a subcommand may touch, so that tests run commands in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// ctx, when set, stops a server (tests); onListen is told its address.
	ctx      context.Context
	onListen func(addr string)
}

func main() {
	os.Exit(run(&env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, os.Args[1:]))
}

func run(e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(e.stderr, usage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "sceau: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	code, err := cmd.run(e, args[1:])
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errUsage):
		fmt.Fprintf(e.stderr, "sceau %s: %v\n", args[0], err)
		return exitUsage
	case err != nil:
		fmt.Fprintf(e.stderr, "sceau %s: %v\n", args[0], err)
		if code == exitOK {
			code = exitInvalid
		}
	}
	return code
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: sceau %s %s\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and turns flag errors into usage errors; flags may
// come before or after the positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// readInput reads a named file, or standard input for "-", with a size cap:
// every input of the tool is untrusted.
func readInput(e *env, name string) ([]byte, error) {
	const maxInput = 32 << 20
	var r io.Reader
	if name == "-" {
		r = e.stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > maxInput {
		return nil, fmt.Errorf("read %s: larger than %d MiB", name, maxInput>>20)
	}
	return data, nil
}
