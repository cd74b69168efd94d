// Package config gathers the server's options from flags and environment
// variables into one Config, with defaults and validation. Flags override
// the environment; secrets (master key, SMTP URL) come from the environment
// only, since command lines are visible to every user of the machine.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Environment variables read by Load.
const (
	EnvAddr                = "SCEAU_ADDR"
	EnvBaseURL             = "SCEAU_BASE_URL"
	EnvDataDir             = "SCEAU_DATA_DIR"
	EnvDatabase            = "SCEAU_DATABASE"
	EnvDemo                = "SCEAU_DEMO"
	EnvDev                 = "SCEAU_DEV"
	EnvMasterKey           = "SCEAU_MASTER_KEY"
	EnvTLSCert             = "SCEAU_TLS_CERT"
	EnvTLSKey              = "SCEAU_TLS_KEY"
	EnvFetchAllow          = "SCEAU_FETCH_ALLOW"
	EnvSMTPURL             = "SCEAU_SMTP_URL"
	EnvSuspension          = "SCEAU_SUSPENSION_STATUS"
	EnvVCIssuer            = "SCEAU_VC_ISSUER"
	EnvBlobURL             = "SCEAU_BLOB_URL"
	EnvConnectionsInterval = "SCEAU_CONNECTIONS_INTERVAL"
)

// Defaults.
const (
	// DefaultAddr listens on loopback only: a server started to try Sceau
	// is not exposed to the network by surprise. Production deployments
	// behind a reverse proxy keep it; containers set --addr :8080.
	DefaultAddr    = "127.0.0.1:8080"
	DefaultDataDir = "./data"
	// SQLiteFile is the database file in the data directory when
	// --database is empty.
	SQLiteFile = "sceau.db"
	// DefaultConnectionsInterval is how often portfolios' connections to
	// other hosts are pulled in the background.
	DefaultConnectionsInterval = 24 * time.Hour
)

// ErrInvalid is wrapped by every validation error of Load.
var ErrInvalid = errors.New("invalid configuration")

// Config is every option of `sceau serve`.
type Config struct {
	// Addr is the listen address, host:port.
	Addr string
	// BaseURL is the public URL of the server, without trailing slash:
	// credential ids, issuer DIDs and links are built from it.
	BaseURL string
	// DataDir holds the SQLite database, the master key file and blobs.
	DataDir string
	// Database is a PostgreSQL URL (postgres://…) or a SQLite file path;
	// unset means DataDir/sceau.db. A Secret because a PostgreSQL URL may
	// hold a password (printed as xxxxx). See DatabaseDriver and
	// DatabaseSource.
	Database Secret
	// Demo loads demonstration data; it implies Dev.
	Demo bool
	// Dev allows a base URL that other machines cannot reach.
	Dev bool
	// MasterKey is SCEAU_MASTER_KEY (environment only), unparsed; empty
	// means the key file in DataDir (see keys.LoadMasterKey).
	MasterKey Secret
	// TLSCert and TLSKey are PEM files to serve HTTPS directly; both or
	// neither.
	TLSCert, TLSKey string
	// FetchAllow lists hosts and networks (CIDR) the outbound fetcher may
	// reach although they are private, e.g. an intranet issuer.
	FetchAllow []string
	// SuspensionStatus embeds a second status entry (purpose suspension)
	// in new credentials. Off by default: the OB 3.0.3 JSON Schema allows
	// one credentialStatus object, and validators that apply it refuse an
	// array. Without it a suspension is shown by this server's pages and
	// its own verification, not by third-party verifiers.
	SuspensionStatus bool
	// VCIssuer is the slug of the issuer the VC API (/api/vc) signs
	// for; empty means the demo issuer.
	VCIssuer string
	// BlobURL is s3://ACCESS:SECRET@host:port/bucket/prefix?region=…
	// (environment only: it holds a secret); empty keeps files on local
	// disk in DataDir/files.
	BlobURL Secret
	// SMTPURL is smtp(s)://user:password@host:port (environment only);
	// printed with its password replaced.
	SMTPURL Secret
	// ConnectionsInterval is the time between two background pulls of
	// portfolios' connections to other Open Badges hosts; 0 disables them
	// (recipients still pull by hand).
	ConnectionsInterval time.Duration
}

// Load reads the options: command-line args (without the program and
// subcommand names), then getenv for what the flags leave unset, then
// defaults; and validates them. A -h or --help flag gives flag.ErrHelp.
// getenv nil means no environment.
func Load(args []string, getenv func(string) string) (*Config, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	fs, v := newFlagSet()
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("%w: unexpected argument %q", ErrInvalid, fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	str := func(flagName, env, def string, p *string) string {
		switch {
		case set[flagName]:
			return *p
		case getenv(env) != "":
			return getenv(env)
		default:
			return def
		}
	}
	boolean := func(flagName, env string, p *bool) (bool, error) {
		if set[flagName] {
			return *p, nil
		}
		s := getenv(env)
		if s == "" {
			return false, nil
		}
		b, err := strconv.ParseBool(s)
		if err != nil {
			return false, fmt.Errorf("%w: %s=%q is not a boolean (use true or false)", ErrInvalid, env, s)
		}
		return b, nil
	}

	c := &Config{
		Addr:    str("addr", EnvAddr, DefaultAddr, &v.addr),
		BaseURL: str("base-url", EnvBaseURL, "", &v.baseURL),
		DataDir: str("data-dir", EnvDataDir, DefaultDataDir, &v.dataDir),
		TLSCert: str("tls-cert", EnvTLSCert, "", &v.tlsCert),
		TLSKey:  str("tls-key", EnvTLSKey, "", &v.tlsKey),
	}
	c.VCIssuer = str("vc-issuer", EnvVCIssuer, "", &v.vcIssuer)
	db := strings.TrimSpace(str("database", EnvDatabase, "", &v.database))
	if err := checkDatabase(db); err != nil {
		return nil, err
	}
	c.Database = NewSecret(db, redactURL(db))
	var err error
	if c.Demo, err = boolean("demo", EnvDemo, &v.demo); err != nil {
		return nil, err
	}
	if c.Dev, err = boolean("dev", EnvDev, &v.dev); err != nil {
		return nil, err
	}
	c.Dev = c.Dev || c.Demo
	if c.SuspensionStatus, err = boolean("suspension-status", EnvSuspension, &v.suspension); err != nil {
		return nil, err
	}
	if c.FetchAllow, err = parseFetchAllow(str("fetch-allow", EnvFetchAllow, "", &v.fetchAllow)); err != nil {
		return nil, err
	}
	c.ConnectionsInterval = DefaultConnectionsInterval
	switch {
	case set["connections-interval"]:
		c.ConnectionsInterval = v.connectionsInterval
	case getenv(EnvConnectionsInterval) != "":
		d, err := time.ParseDuration(getenv(EnvConnectionsInterval))
		if err != nil {
			return nil, fmt.Errorf("%w: %s=%q is not a duration (e.g. 24h, or 0 to disable)", ErrInvalid, EnvConnectionsInterval, getenv(EnvConnectionsInterval))
		}
		c.ConnectionsInterval = d
	}
	if c.ConnectionsInterval < 0 || c.ConnectionsInterval > 0 && c.ConnectionsInterval < time.Minute {
		return nil, fmt.Errorf("%w: --connections-interval %s: give at least 1m, or 0 to disable", ErrInvalid, c.ConnectionsInterval)
	}
	c.MasterKey = NewSecret(strings.TrimSpace(getenv(EnvMasterKey)), "")
	if s := getenv(EnvBlobURL); s != "" {
		// Parsed by the blob package when the store is opened; shown
		// without its secret.
		c.BlobURL = NewSecret(s, redactURL(s))
	}
	if s := getenv(EnvSMTPURL); s != "" {
		shown, err := checkSMTPURL(s)
		if err != nil {
			return nil, err
		}
		c.SMTPURL = NewSecret(s, shown)
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

type flagValues struct {
	addr, baseURL, dataDir, database, tlsCert, tlsKey, fetchAllow, vcIssuer string
	demo, dev, suspension                                                   bool
	connectionsInterval                                                     time.Duration
}

func newFlagSet() (*flag.FlagSet, *flagValues) {
	v := &flagValues{}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // the caller prints errors and Usage
	fs.StringVar(&v.addr, "addr", DefaultAddr, "listen address host:port (env "+EnvAddr+"); the default listens on this machine only")
	fs.StringVar(&v.baseURL, "base-url", "", "public URL of the server, e.g. https://badges.example.org (env "+EnvBaseURL+")")
	fs.StringVar(&v.dataDir, "data-dir", DefaultDataDir, "directory for the SQLite database, master key and files (env "+EnvDataDir+")")
	fs.StringVar(&v.database, "database", "", "PostgreSQL URL postgres://… or SQLite file; empty: "+SQLiteFile+" in the data directory (env "+EnvDatabase+")")
	fs.BoolVar(&v.demo, "demo", false, "load demonstration data; implies --dev (env "+EnvDemo+")")
	fs.BoolVar(&v.dev, "dev", false, "development mode: allow a base URL other machines cannot reach (env "+EnvDev+")")
	fs.BoolVar(&v.suspension, "suspension-status", false, "also embed a suspension status entry in new credentials; the OB 3.0.3 schema allows only one (env "+EnvSuspension+")")
	fs.StringVar(&v.vcIssuer, "vc-issuer", "", "slug of the issuer the VC API (/api/vc) signs for; default the demo issuer (env "+EnvVCIssuer+")")
	fs.StringVar(&v.tlsCert, "tls-cert", "", "PEM certificate file to serve HTTPS directly (env "+EnvTLSCert+")")
	fs.StringVar(&v.tlsKey, "tls-key", "", "PEM private key file for --tls-cert (env "+EnvTLSKey+")")
	fs.StringVar(&v.fetchAllow, "fetch-allow", "", "comma-separated private hosts or CIDR networks outbound fetches may reach (env "+EnvFetchAllow+")")
	fs.DurationVar(&v.connectionsInterval, "connections-interval", DefaultConnectionsInterval, "how often portfolios' connections to other Open Badges hosts are pulled in the background; 0 disables (env "+EnvConnectionsInterval+")")
	return fs, v
}

// Usage writes the flags and their defaults, and the environment-only
// variables.
func Usage(w io.Writer) {
	fs, _ := newFlagSet()
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprintf(w, "Environment only:\n  %s\tmaster key (32 bytes, base64 or hex); default: master.key in the data directory\n"+
		"  %s\tSMTP server, smtp://user:password@host:587 or smtps://…:465\n"+
		"  %s\tS3-compatible file store, s3://ACCESS:SECRET@host:port/bucket/prefix?region=…; default: files in the data directory\n",
		EnvMasterKey, EnvSMTPURL, EnvBlobURL)
}

func (c *Config) validate() error {
	_, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("%w: --addr %q: want host:port, e.g. 127.0.0.1:8080 or :8080", ErrInvalid, c.Addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%w: --addr %q: bad port %q", ErrInvalid, c.Addr, port)
	}
	if c.DataDir == "" {
		return fmt.Errorf("%w: --data-dir is empty", ErrInvalid)
	}
	c.DataDir = filepath.Clean(c.DataDir)
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("%w: --tls-cert and --tls-key go together; give both or neither", ErrInvalid)
	}
	if c.BaseURL == "" {
		if !c.Dev {
			return fmt.Errorf("%w: --base-url (or %s) is required: the public https URL at which others reach this server, "+
				"e.g. https://badges.example.org; to try Sceau on this machine, add --dev or --demo", ErrInvalid, EnvBaseURL)
		}
		if port == "0" {
			return fmt.Errorf("%w: with --addr port 0, give --base-url", ErrInvalid)
		}
		scheme := "http"
		if c.TLSCert != "" {
			scheme = "https"
		}
		c.BaseURL = scheme + "://localhost:" + port
	}
	base, err := NormalizeBaseURL(c.BaseURL)
	if err != nil {
		return err
	}
	c.BaseURL = base
	if !c.Dev {
		if err := CheckPublicBaseURL(base); err != nil {
			return err
		}
	}
	return nil
}

// NormalizeBaseURL checks that raw is an absolute http(s) URL without user
// info, query or fragment, and returns it with scheme and host in lower case
// and without trailing slash.
func NormalizeBaseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%w: base URL %q: %v", ErrInvalid, raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Opaque != "" {
		return "", fmt.Errorf("%w: base URL %q must be an absolute http(s) URL such as https://badges.example.org", ErrInvalid, raw)
	}
	if u.User != nil {
		return "", fmt.Errorf("%w: base URL %q must not contain a user name or password", ErrInvalid, raw)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(raw, "?#") {
		return "", fmt.Errorf("%w: base URL %q must not have a query (?…) or fragment (#…)", ErrInvalid, raw)
	}
	if strings.HasPrefix(u.Host, "[") {
		return "", fmt.Errorf("%w: base URL %q: an IPv6 address cannot be an issuer's did:web host; use a host name", ErrInvalid, raw)
	}
	if p := u.Port(); p != "" || strings.HasSuffix(u.Host, ":") {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("%w: base URL %q: bad port", ErrInvalid, raw)
		}
	}
	// The host becomes part of every issuer's did:web, which allows only
	// these characters.
	if h := strings.ToLower(u.Hostname()); !validHost(h) {
		return "", fmt.Errorf("%w: base URL %q: host %q is not a valid host name (letters, digits, '-' and '.')", ErrInvalid, raw, h)
	}
	u.Host = strings.ToLower(u.Host)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String(), nil
}

// unreachableSuffixes are names that never resolve on the public Internet:
// RFC 6761 special-use names, mDNS, and names reserved for private use.
var unreachableSuffixes = []string{".localhost", ".local", ".internal", ".home.arpa", ".lan", ".test", ".invalid", ".example"}

// cgnat is the shared address space of carrier-grade NAT (RFC 6598), not
// routable on the Internet; netip's IsPrivate does not include it.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// CheckPublicBaseURL refuses a (normalised) base URL that other machines
// cannot reach, or at which badges cannot be verified: http instead of
// https, localhost, loopback, private and link-local addresses, and host
// names without a dot or under special-use suffixes. The error says why and
// how to fix it.
func CheckPublicBaseURL(base string) error {
	u, err := url.Parse(base)
	if err != nil {
		return fmt.Errorf("%w: base URL %q: %v", ErrInvalid, base, err)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	const fix = "set --base-url to the public https address of this server (e.g. https://badges.example.org, behind a TLS reverse proxy), " +
		"or start with --dev to try Sceau on this machine only"
	why := ""
	if ip, err := netip.ParseAddr(host); err == nil {
		switch {
		case ip.IsLoopback():
			why = "it is a loopback address, reachable from this machine only"
		case ip.IsUnspecified():
			why = "it is the unspecified address, not an address others can connect to"
		case ip.IsPrivate() || cgnat.Contains(ip):
			why = "it is a private network address, unreachable from the Internet"
		case ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsMulticast():
			why = "it is a link-local or multicast address"
		}
	} else {
		switch {
		case host == "localhost" || strings.HasSuffix(host, ".localhost"):
			why = "localhost names this machine only"
		case !strings.Contains(host, "."):
			why = fmt.Sprintf("the host name %q has no dot, so it resolves only on a local network", host)
		default:
			for _, s := range unreachableSuffixes {
				if strings.HasSuffix(host, s) {
					why = fmt.Sprintf("names ending in %s do not resolve on the Internet", s)
					break
				}
			}
		}
	}
	if why == "" && u.Scheme != "https" {
		why = "it uses http: badges must be served over https, and issuer did:web documents resolve only over https"
	}
	if why != "" {
		return fmt.Errorf("%w: base URL %s cannot be used to issue badges, because %s; %s", ErrInvalid, base, why, fix)
	}
	return nil
}

func checkDatabase(d string) error {
	if d == "" || strings.HasPrefix(d, "postgres://") || strings.HasPrefix(d, "postgresql://") {
		return nil
	}
	if strings.Contains(d, "://") {
		return fmt.Errorf("%w: --database %q: want a postgres:// URL or a SQLite file path", ErrInvalid, redactURL(d))
	}
	return nil
}

// Database drivers, as returned by DatabaseDriver.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// DatabaseDriver is DriverPostgres for a postgres:// URL, else DriverSQLite.
func (c Config) DatabaseDriver() string {
	if d := c.Database.Value(); strings.HasPrefix(d, "postgres://") || strings.HasPrefix(d, "postgresql://") {
		return DriverPostgres
	}
	return DriverSQLite
}

// DatabaseSource is the PostgreSQL URL or the SQLite file path
// (DataDir/sceau.db when Database is empty).
func (c Config) DatabaseSource() string {
	if !c.Database.IsSet() {
		return filepath.Join(c.DataDir, SQLiteFile)
	}
	return c.Database.Value()
}

// databaseShown is the database source with any password replaced.
func (c Config) databaseShown() string {
	if c.DatabaseDriver() == DriverPostgres {
		return c.Database.String()
	}
	return c.DatabaseSource()
}

func parseFetchAllow(s string) ([]string, error) {
	var out []string
	for e := range strings.SplitSeq(s, ",") {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "" {
			continue
		}
		if strings.Contains(e, "/") {
			if _, err := netip.ParsePrefix(e); err != nil {
				return nil, fmt.Errorf("%w: --fetch-allow entry %q is not a CIDR network such as 10.1.0.0/16", ErrInvalid, e)
			}
		} else if _, err := netip.ParseAddr(e); err != nil && !validHost(e) {
			return nil, fmt.Errorf("%w: --fetch-allow entry %q is not a host name, IP address or CIDR network", ErrInvalid, e)
		}
		out = append(out, e)
	}
	return out, nil
}

func validHost(h string) bool {
	if h == "" || len(h) > 253 || strings.HasPrefix(h, ".") || strings.HasSuffix(h, ".") || strings.Contains(h, "..") {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// checkSMTPURL validates an SMTP URL and returns its printable form.
func checkSMTPURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		// url.Parse errors quote the input, password included.
		return "", fmt.Errorf("%w: %s is not a valid URL", ErrInvalid, EnvSMTPURL)
	}
	if u.Scheme != "smtp" && u.Scheme != "smtps" || u.Hostname() == "" {
		return "", fmt.Errorf("%w: %s must look like smtp://user:password@host:587 or smtps://user:password@host:465 (got %s)",
			ErrInvalid, EnvSMTPURL, u.Redacted())
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("%w: %s: bad port in %s", ErrInvalid, EnvSMTPURL, u.Redacted())
		}
	}
	return u.Redacted(), nil
}

// redactURL hides the password of a URL, in user info or (PostgreSQL
// style) in the query.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		if strings.Contains(s, "://") {
			return "(unparsable URL)"
		}
		return s // a file path
	}
	if strings.Contains(strings.ToLower(u.RawQuery), "password") {
		u.RawQuery = "REDACTED"
	}
	return u.Redacted()
}

// String describes the configuration for a start-up log line, secrets
// redacted.
func (c Config) String() string {
	mk := "master.key file in data directory"
	if c.MasterKey.IsSet() {
		mk = "from " + EnvMasterKey
	}
	return fmt.Sprintf("addr=%s base_url=%s data_dir=%s database=%s %s demo=%t dev=%t master_key=%q tls=%t fetch_allow=%v smtp=%q",
		c.Addr, c.BaseURL, c.DataDir, c.DatabaseDriver(), c.databaseShown(), c.Demo, c.Dev, mk, c.TLSCert != "", c.FetchAllow, c.SMTPURL.String())
}

// Format prints String for every verb, so %+v and %#v redact too. The
// methods have value receivers so that a Config printed by value redacts.
func (c Config) Format(f fmt.State, verb rune) { io.WriteString(f, c.String()) }

// LogValue gives the configuration as a slog group, secrets redacted.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("base_url", c.BaseURL),
		slog.String("data_dir", c.DataDir),
		slog.String("database", c.DatabaseDriver()+" "+c.databaseShown()),
		slog.Bool("demo", c.Demo),
		slog.Bool("dev", c.Dev),
		slog.Bool("master_key_from_env", c.MasterKey.IsSet()),
		slog.Bool("tls", c.TLSCert != ""),
		slog.Any("fetch_allow", c.FetchAllow),
		slog.String("smtp", c.SMTPURL.String()),
	)
}
