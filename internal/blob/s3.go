package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// ErrBucketNotFound: the configured S3 bucket does not exist.
var ErrBucketNotFound = errors.New("S3 bucket not found")

// User metadata kept with each S3 object (sent as x-amz-meta-*). S3's own
// ETag is an MD5 for single puts and something else for multipart or
// encrypted objects, so the SHA-256 is stored explicitly; the write time is
// stored too so that Put and Stat report the same instant at millisecond
// precision (Last-Modified has only seconds).
const (
	metaSHA256   = "Sha256"
	metaModified = "Modified"
)

// Timeouts of the S3 transport. Each call is bounded as a whole by its
// context; these catch a server that accepts connections and then stalls.
const (
	s3DialTimeout           = 10 * time.Second
	s3TLSHandshakeTimeout   = 10 * time.Second
	s3ResponseHeaderTimeout = 30 * time.Second
	s3IdleConnTimeout       = 90 * time.Second
	// s3StartTimeout bounds NewS3's bucket check when ctx has no deadline.
	s3StartTimeout = 30 * time.Second
	// s3MaxRetries: minio-go retries failed requests with backoff; its
	// default of 10 makes an unreachable server take minutes to report.
	s3MaxRetries = 3
	// MaxS3Size bounds S3Config.MaxSize: a Put holds its whole content in
	// memory.
	MaxS3Size = 1 << 30
)

// S3Config says where an S3 store keeps its objects. ParseS3URL builds one
// from a URL.
type S3Config struct {
	// Endpoint is the server, host or host:port, without scheme
	// ("s3.eu-west-3.amazonaws.com", "minio.internal:9000").
	Endpoint string
	// Bucket must exist unless CreateBucket is set.
	Bucket string
	// Region of the bucket; empty lets the client ask the server.
	Region string
	// AccessKey and SecretKey sign requests. Both empty: they are read
	// from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and
	// AWS_SESSION_TOKEN), or MINIO_ACCESS_KEY / MINIO_SECRET_KEY. The
	// secret is never printed: String redacts it.
	AccessKey string
	SecretKey string
	// UseSSL selects HTTPS. ParseS3URL defaults it to true.
	UseSSL bool
	// PathStyle forces path-style requests (https://host/bucket/key), which
	// MinIO, Garage and Ceph usually need. False lets the client choose:
	// virtual-hosted style (https://bucket.host/key) for AWS and other
	// hosts known to support it, path style otherwise.
	PathStyle bool
	// Prefix, if not empty, is put before every key ("sceau" stores key
	// "images/x" as object "sceau/images/x"), so that several stores share
	// a bucket. It must be a valid key itself.
	Prefix string
	// MaxSize is the largest content accepted, in bytes; 0 means
	// DefaultMaxSize.
	MaxSize int64
	// CreateBucket creates a missing bucket instead of failing.
	CreateBucket bool
}

// String is the configuration as a URL with the secret key redacted, for
// logs and error messages.
func (c S3Config) String() string { return c.url(false) }

// GoString redacts the secret from %#v too.
func (c S3Config) GoString() string { return "blob.S3Config(" + c.url(false) + ")" }

// url writes the configuration in the form ParseS3URL reads.
func (c S3Config) url(secret bool) string {
	u := url.URL{Scheme: "s3", Host: c.Endpoint, Path: "/" + c.Bucket}
	if c.Prefix != "" {
		u.Path += "/" + c.Prefix
	}
	if c.AccessKey != "" || c.SecretKey != "" {
		s := c.SecretKey
		if !secret && s != "" {
			s = "REDACTED"
		}
		u.User = url.UserPassword(c.AccessKey, s)
	}
	q := url.Values{}
	if c.Region != "" {
		q.Set("region", c.Region)
	}
	if !c.UseSSL {
		q.Set("ssl", "false")
	}
	if c.PathStyle {
		q.Set("path-style", "true")
	}
	if c.CreateBucket {
		q.Set("create-bucket", "true")
	}
	if c.MaxSize != 0 {
		q.Set("max-size", strconv.FormatInt(c.MaxSize, 10))
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// ParseS3URL parses an S3 store URL:
//
//	s3://ACCESS:SECRET@host[:port]/bucket[/prefix][?region=…&ssl=true|false&path-style=true|false&create-bucket=true|false&max-size=BYTES]
//
// The access and secret keys are percent-decoded: a '/' in a secret key
// must be written %2F (and '%' as %25). Without them, NewS3 takes the keys
// from the environment. ssl defaults to true. Errors never quote the
// secret key.
func ParseS3URL(raw string) (S3Config, error) {
	var c S3Config
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error quotes the whole URL, secret included.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if strings.Contains(raw, "@") {
			// Even the inner error may quote part of the secret ("invalid
			// port" after a '/' in it).
			return c, errors.New("S3 URL: cannot be parsed; check it, and write a '/' or '%' in the keys as %2F or %25")
		}
		return c, fmt.Errorf("S3 URL: %w", err)
	}
	switch u.Scheme {
	case "s3":
	case "":
		return c, errors.New("S3 URL: no scheme, want s3://")
	default:
		return c, fmt.Errorf("S3 URL: scheme %q, want s3", u.Scheme)
	}
	if u.Opaque != "" {
		return c, errors.New("S3 URL: want s3://host/bucket, with two slashes")
	}
	if u.Fragment != "" || strings.HasSuffix(raw, "#") {
		return c, errors.New("S3 URL: unexpected fragment")
	}
	if strings.Contains(u.Path, "@") || strings.Contains(u.Path, ":") {
		// "s3://KEY:SE/CRET@host/bucket": the '/' ended the host early.
		return c, errors.New("S3 URL: '@' or ':' in the path; write a '/' in the secret key as %2F")
	}
	if u.Host == "" {
		return c, errors.New("S3 URL: no host")
	}
	host := u.Hostname()
	if host == "" {
		return c, errors.New("S3 URL: no host name")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return c, fmt.Errorf("S3 URL: port %q not in 1..65535", p)
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return c, errors.New("S3 URL: empty port")
	}
	c.Endpoint = u.Host
	if u.User != nil {
		c.AccessKey = u.User.Username()
		secret, ok := u.User.Password()
		c.SecretKey = secret
		switch {
		case c.AccessKey == "":
			return c, errors.New("S3 URL: a secret key without an access key")
		case !ok || secret == "":
			return c, errors.New("S3 URL: an access key without a secret key (want ACCESS:SECRET@host)")
		}
	}
	if strings.Contains(u.EscapedPath(), "%") {
		return c, errors.New("S3 URL: percent-escapes in the bucket or prefix")
	}
	p := strings.TrimSuffix(strings.TrimPrefix(u.Path, "/"), "/")
	bucket, prefix, _ := strings.Cut(p, "/")
	if bucket == "" {
		return c, errors.New("S3 URL: no bucket, want s3://host/bucket")
	}
	if err := checkBucketName(bucket); err != nil {
		return c, fmt.Errorf("S3 URL: %w", err)
	}
	c.Bucket = bucket
	if prefix != "" {
		if err := ValidKey(prefix); err != nil {
			return c, fmt.Errorf("S3 URL: prefix: %w", err)
		}
		c.Prefix = prefix
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return c, fmt.Errorf("S3 URL: query: %w", err)
	}
	c.UseSSL = true
	for key, vals := range q {
		if len(vals) != 1 {
			return c, fmt.Errorf("S3 URL: parameter %q given %d times", key, len(vals))
		}
		v := vals[0]
		switch key {
		case "region":
			if err := checkRegion(v); err != nil {
				return c, fmt.Errorf("S3 URL: %w", err)
			}
			c.Region = v
		case "ssl", "path-style", "create-bucket":
			var b bool
			switch v {
			case "true":
				b = true
			case "false":
			default:
				return c, fmt.Errorf("S3 URL: %s=%q, want true or false", key, v)
			}
			switch key {
			case "ssl":
				c.UseSSL = b
			case "path-style":
				c.PathStyle = b
			default:
				c.CreateBucket = b
			}
		case "max-size":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 || n > MaxS3Size {
				return c, fmt.Errorf("S3 URL: max-size=%q, want a number of bytes in 1..%d", v, MaxS3Size)
			}
			c.MaxSize = n
		default:
			return c, fmt.Errorf("S3 URL: unknown parameter %q (want region, ssl, path-style, create-bucket, max-size)", key)
		}
	}
	return c, nil
}

// checkBucketName applies S3's rules for new buckets: 3 to 63 lower-case
// letters, digits, '.' and '-', starting and ending with a letter or digit,
// no "..", not shaped like an IP address.
func checkBucketName(b string) error {
	if len(b) < 3 || len(b) > 63 {
		return fmt.Errorf("bucket name %q: length %d not in 3..63", b, len(b))
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && c != '.' && c != '-' {
			return fmt.Errorf("bucket name %q: character %q (want a-z, 0-9, '.', '-')", b, c)
		}
		if !alnum && (i == 0 || i == len(b)-1) {
			return fmt.Errorf("bucket name %q must start and end with a letter or digit", b)
		}
	}
	if strings.Contains(b, "..") || strings.Contains(b, ".-") || strings.Contains(b, "-.") {
		return fmt.Errorf("bucket name %q: '.' next to '.' or '-'", b)
	}
	if net.ParseIP(b) != nil {
		return fmt.Errorf("bucket name %q is an IP address", b)
	}
	return nil
}

// checkRegion accepts region names of AWS ("eu-west-3") and of other
// providers ("garage", "fr-par", "nl_ams").
func checkRegion(r string) error {
	if r == "" || len(r) > 64 {
		return fmt.Errorf("region %q: length not in 1..64", r)
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("region %q: character %q", r, c)
		}
	}
	return nil
}

// S3 is a Store in a bucket of an S3-compatible object store (AWS S3,
// MinIO, Garage, Ceph RGW, Scaleway, OVH…). Each object carries its
// content type, and its SHA-256 and write time as user metadata.
//
// Put reads the whole content into memory, up to MaxSize, before sending
// it: the size limit is then enforced before anything reaches the bucket,
// the SHA-256 is known for content addressing, and the upload is one plain
// PUT (atomic in S3: readers see the old object or the new one), retried
// safely and checked by Content-MD5. A Put therefore holds up to MaxSize
// (20 MiB by default) of memory while it runs.
type S3 struct {
	client *minio.Client
	tr     *http.Transport
	bucket string
	prefix string
	// MaxSize is the largest content accepted, in bytes.
	MaxSize int64
	// Now is the clock for Info.Modified; NewS3 sets time.Now.
	Now func() time.Time
}

var _ Store = (*S3)(nil)

// NewS3 connects to an S3-compatible store and checks that the bucket
// exists (creating it if cfg.CreateBucket), so that a wrong endpoint,
// credentials or bucket name fail at start rather than at the first
// upload. The check is bounded by ctx, or by 30 seconds if ctx has no
// deadline.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	if cfg.Endpoint == "" || strings.Contains(cfg.Endpoint, "/") {
		return nil, fmt.Errorf("blob store: S3 endpoint %q: want host or host:port, without scheme or path", cfg.Endpoint)
	}
	if err := checkBucketName(cfg.Bucket); err != nil {
		return nil, fmt.Errorf("blob store: S3: %w", err)
	}
	if cfg.Prefix != "" {
		if err := ValidKey(cfg.Prefix); err != nil {
			return nil, fmt.Errorf("blob store: S3 prefix: %w", err)
		}
	}
	if cfg.MaxSize < 0 || cfg.MaxSize > MaxS3Size {
		return nil, fmt.Errorf("blob store: S3 max size %d not in 0..%d (puts are held in memory)", cfg.MaxSize, MaxS3Size)
	}
	if cfg.MaxSize == 0 {
		cfg.MaxSize = DefaultMaxSize
	}
	var creds *credentials.Credentials
	switch {
	case cfg.AccessKey != "" && cfg.SecretKey != "":
		creds = credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, "")
	case cfg.AccessKey == "" && cfg.SecretKey == "":
		creds = credentials.NewChainCredentials([]credentials.Provider{&credentials.EnvAWS{}, &credentials.EnvMinio{}})
		if v, err := creds.Get(); err != nil || v.AccessKeyID == "" || v.SecretAccessKey == "" {
			return nil, errors.New("blob store: S3: no credentials; give ACCESS:SECRET in the URL or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
		}
	default:
		return nil, errors.New("blob store: S3: give both the access key and the secret key")
	}
	lookup := minio.BucketLookupAuto
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	tr := newS3Transport()
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:        creds,
		Secure:       cfg.UseSSL,
		Transport:    tr,
		Region:       cfg.Region,
		BucketLookup: lookup,
		MaxRetries:   s3MaxRetries,
	})
	if err != nil {
		return nil, fmt.Errorf("blob store: S3 %s: %w", cfg.Endpoint, err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s3StartTimeout)
		defer cancel()
	}
	where := cfg.Endpoint + "/" + cfg.Bucket
	exists, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		tr.CloseIdleConnections()
		return nil, fmt.Errorf("blob store: S3 %s: checking the bucket: %w", where, err)
	}
	if !exists {
		if !cfg.CreateBucket {
			tr.CloseIdleConnections()
			return nil, fmt.Errorf("blob store: %w: %s (create it, or add create-bucket=true to the URL)", ErrBucketNotFound, where)
		}
		if err := client.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region}); err != nil {
			tr.CloseIdleConnections()
			return nil, fmt.Errorf("blob store: S3 %s: creating the bucket: %w", where, err)
		}
	}
	return &S3{client: client, tr: tr, bucket: cfg.Bucket, prefix: cfg.Prefix, MaxSize: cfg.MaxSize, Now: time.Now}, nil
}

// newS3Transport is http.DefaultTransport with tighter timeouts and no
// transparent decompression (objects are served as stored).
func newS3Transport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: s3DialTimeout, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = s3TLSHandshakeTimeout
	tr.ResponseHeaderTimeout = s3ResponseHeaderTimeout
	tr.IdleConnTimeout = s3IdleConnTimeout
	tr.ExpectContinueTimeout = time.Second
	tr.MaxIdleConnsPerHost = 16
	tr.DisableCompression = true
	return tr
}

// Close releases idle connections. The store must not be used after.
func (s *S3) Close() error {
	s.tr.CloseIdleConnections()
	return nil
}

// object is the name in the bucket of a key.
func (s *S3) object(key string) string {
	if s.prefix == "" {
		return key
	}
	return s.prefix + "/" + key
}

// Put implements Store.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, contentType string) (Info, error) {
	if err := ValidKey(key); err != nil {
		return Info{}, fmt.Errorf("put: %w", err)
	}
	body, info, err := s.read(ctx, r, contentType)
	if err != nil {
		return Info{}, fmt.Errorf("put %s: %w", key, err)
	}
	info.Key = key
	if err := s.upload(ctx, body, info); err != nil {
		return Info{}, fmt.Errorf("put %s: %w", key, err)
	}
	return info, nil
}

// PutAddressed implements Store. Two concurrent puts of the same new
// content may both upload it; the bytes are the same, the content type
// and time of the last one win.
func (s *S3) PutAddressed(ctx context.Context, prefix string, r io.Reader, contentType string) (Info, error) {
	if err := ValidKey(prefix); err != nil {
		return Info{}, fmt.Errorf("put: prefix: %w", err)
	}
	body, info, err := s.read(ctx, r, contentType)
	if err != nil {
		return Info{}, fmt.Errorf("put in %s: %w", prefix, err)
	}
	key := AddressedKey(prefix, info.SHA256)
	old, err := s.Stat(ctx, key)
	switch {
	case err == nil && old.SHA256 == info.SHA256:
		return old, nil
	case err != nil && !errors.Is(err, ErrNotFound):
		return Info{}, fmt.Errorf("put in %s: %w", prefix, err)
	}
	info.Key = key
	if err := s.upload(ctx, body, info); err != nil {
		return Info{}, fmt.Errorf("put %s: %w", key, err)
	}
	return info, nil
}

// read takes the whole content into memory, failing with ErrTooLarge past
// MaxSize, and describes it.
func (s *S3) read(ctx context.Context, r io.Reader, contentType string) ([]byte, Info, error) {
	ct, err := normalContentType(contentType)
	if err != nil {
		return nil, Info{}, err
	}
	var buf bytes.Buffer
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(&buf, h), LimitReader(ctxReader{ctx, r}, s.MaxSize))
	if err != nil {
		return nil, Info{}, err
	}
	info := Info{Size: n, ContentType: ct, SHA256: hex.EncodeToString(h.Sum(nil)), Modified: s.Now().UTC().Truncate(time.Millisecond)}
	return buf.Bytes(), info, nil
}

// upload sends the content in one PUT.
func (s *S3) upload(ctx context.Context, body []byte, info Info) error {
	_, err := s.client.PutObject(ctx, s.bucket, s.object(info.Key), bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{
		ContentType: info.ContentType,
		UserMetadata: map[string]string{
			metaSHA256:   info.SHA256,
			metaModified: info.Modified.Format(time.RFC3339Nano),
		},
		// One request, so the object appears whole or not at all, with no
		// multipart upload left behind by a failure.
		DisableMultipart: true,
		SendContentMd5:   true,
		// Over plain HTTP minio-go signs the payload in aws-chunked
		// streaming form, which it sends without a Content-Length when the
		// body is empty; S3 servers refuse that. Content-MD5 still guards
		// an empty body.
		DisableContentSha256: len(body) == 0,
	})
	return s.mapError(err, info.Key)
}

// Get implements Store. The reader is a *minio.Object: it implements
// io.ReadSeekCloser and io.ReaderAt, reads lazily with range requests after
// a seek, and fails rather than mixing versions if the object is replaced
// meanwhile. It stays bound to ctx: reads fail once ctx is done.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if err := ValidKey(key); err != nil {
		return nil, Info{}, fmt.Errorf("get: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, Info{}, fmt.Errorf("get %s: %w", key, err)
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.object(key), minio.GetObjectOptions{})
	if err != nil {
		return nil, Info{}, fmt.Errorf("get: %w", s.mapError(err, key))
	}
	oi, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, Info{}, fmt.Errorf("get: %w", s.mapError(err, key))
	}
	return obj, s.info(key, oi), nil
}

// Stat implements Store.
func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidKey(key); err != nil {
		return Info{}, fmt.Errorf("stat: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return Info{}, fmt.Errorf("stat %s: %w", key, err)
	}
	oi, err := s.client.StatObject(ctx, s.bucket, s.object(key), minio.StatObjectOptions{})
	if err != nil {
		return Info{}, fmt.Errorf("stat: %w", s.mapError(err, key))
	}
	return s.info(key, oi), nil
}

// info describes an object. Objects written by other tools have no
// SHA-256 metadata: their SHA256 is empty (unknown) and Modified is the
// server's Last-Modified.
func (s *S3) info(key string, oi minio.ObjectInfo) Info {
	info := Info{Key: key, Size: oi.Size, ContentType: oi.ContentType, Modified: oi.LastModified.UTC()}
	if info.ContentType == "" {
		info.ContentType = "application/octet-stream"
	}
	if h := oi.Metadata.Get("X-Amz-Meta-" + metaSHA256); isSHA256Hex(h) {
		info.SHA256 = h
	}
	if t, err := time.Parse(time.RFC3339Nano, oi.Metadata.Get("X-Amz-Meta-"+metaModified)); err == nil {
		info.Modified = t.UTC()
	}
	return info
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Delete implements Store.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	err := s.client.RemoveObject(ctx, s.bucket, s.object(key), minio.RemoveObjectOptions{})
	if err = s.mapError(err, key); err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("delete: %w", err)
	}
	return nil
}

// mapError turns S3 error codes callers branch on into this package's
// errors, naming the key.
func (s *S3) mapError(err error, key string) error {
	if err == nil {
		return nil
	}
	var er minio.ErrorResponse
	if errors.As(err, &er) {
		switch er.Code {
		case "NoSuchKey", "NotFound":
			return fmt.Errorf("%w: %s", ErrNotFound, key)
		case "NoSuchBucket":
			return fmt.Errorf("%s: %w: %s", key, ErrBucketNotFound, s.bucket)
		}
	}
	return fmt.Errorf("%s: %w", key, err)
}
