package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/sceau/sceau/internal/config"
	"github.com/sceau/sceau/internal/keys"
	"github.com/sceau/sceau/internal/store"
)

// runBackup is `sceau backup DEST`: a consistent copy of a SQLite
// installation, safe while the server runs. DEST is a new directory that
// `sceau serve --data-dir DEST` can start from.
func runBackup(e *env, args []string) (int, error) {
	fs := newFlags(e, "backup", "DEST")
	sf := addServerFlags(fs)
	return withApp(e, fs, sf, args, func(ctx context.Context, a *app, pos []string) error {
		if len(pos) != 1 {
			return fmt.Errorf("%w: backup takes one DEST directory", errUsage)
		}
		if a.db.Dialect() != store.SQLite {
			// pg_dump takes a consistent snapshot and is what PostgreSQL
			// operators already run; files still come from the data directory.
			return fmt.Errorf("the database is PostgreSQL: back it up with pg_dump, and copy %s", a.cfg.DataDir)
		}
		dest := pos[0]
		if err := os.Mkdir(dest, 0o700); err != nil {
			return fmt.Errorf("backup: %w (DEST must be a new directory)", err)
		}
		// VACUUM INTO writes a transactionally consistent copy while other
		// connections keep reading and writing (WAL).
		if _, err := a.db.SQL().ExecContext(ctx, "VACUUM INTO $1", filepath.Join(dest, config.SQLiteFile)); err != nil {
			return fmt.Errorf("backup database: %w", err)
		}
		if a.cfg.BlobURL.IsSet() {
			// Object keys never change once written: copying the bucket
			// after this database copy is consistent.
			fmt.Fprintf(e.stderr, "note: files are in the S3 store %s: back them up with the provider's versioning or replication, or rclone sync, after this copy\n", a.cfg.BlobURL)
		} else if err := copyTree(filepath.Join(a.cfg.DataDir, "files"), filepath.Join(dest, "files")); err != nil {
			// Blobs are written once under new names (temporary file,
			// then rename), so copying the tree while the server runs is
			// consistent for every file the database copy refers to.
			return fmt.Errorf("backup files: %w", err)
		}
		if key := filepath.Join(a.cfg.DataDir, keys.MasterKeyFile); fileExists(key) {
			if err := copyFile(key, filepath.Join(dest, keys.MasterKeyFile), 0o600); err != nil {
				return fmt.Errorf("backup master key: %w", err)
			}
		} else {
			fmt.Fprintln(e.stderr, "note: the master key comes from SCEAU_MASTER_KEY; keep it with this backup, issuer keys cannot be read without it")
		}
		fmt.Fprintln(e.stdout, dest)
		return nil
	})
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && p == src {
				return nil
			}
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		return copyFile(p, target, 0o600)
	})
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
