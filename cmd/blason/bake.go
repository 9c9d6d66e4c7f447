package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/blason-badges/blason/internal/bake"
	badgeinput "github.com/blason-badges/blason/internal/input"
	"github.com/blason-badges/blason/internal/limits"
	"github.com/blason-badges/blason/internal/termsafe"
)

// bakeCmd puts a credential into a PNG or SVG image (OB 3.0 §5.3).
func bakeCmd(e env, args []string) int {
	fs := newFlags(e, "bake")
	credPath := fs.String("credential", "", "the badge: credential JSON or a VC-JWT (as blason issue prints it)")
	imgPath := fs.String("image", "", "the PNG or SVG image to bake it into")
	out := fs.String("out", "", "the file to write the baked image to")
	force := fs.Bool("force", false, "overwrite --out if it exists")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if *credPath == "" || *imgPath == "" || *out == "" || fs.NArg() > 0 {
		return fail(e, "usage: blason bake --credential FILE --image PNG|SVG --out FILE [--force]")
	}
	raw, err := readFile(e, *credPath, limits.CredentialBytes)
	if err != nil {
		return failErr(e, "bake", err)
	}
	// Whitespace and a byte-order mark around JSON or a JWS mean nothing;
	// trimmed, a VC-JWT goes in the SVG verify attribute as §5.3.2 asks.
	cred := bytes.TrimSpace(bytes.TrimPrefix(raw, []byte("\ufeff")))
	if !badgeinput.IsCompactJWS(cred) && !(json.Valid(cred) && bytes.HasPrefix(cred, []byte("{"))) {
		return fail(e, "bake: %s is neither credential JSON nor a VC-JWT", *credPath)
	}
	img, err := readFile(e, *imgPath, bake.MaxImageBytes)
	if err != nil {
		return failErr(e, "bake", err)
	}
	if bake.Kind(img) == bake.Unknown {
		return fail(e, "bake: %s is not a PNG or SVG image (only these can hold a badge)", *imgPath)
	}
	baked, err := bake.Bake(img, cred)
	if err != nil {
		return failErr(e, "bake", err)
	}
	if err := writeFile(*out, baked, *force); err != nil {
		return failErr(e, "bake", err)
	}
	return exitOK
}

// extractCmd prints the credential baked into an image, byte for byte.
func extractCmd(e env, args []string) int {
	fs := newFlags(e, "extract")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if fs.NArg() != 1 {
		return fail(e, "usage: blason extract FILE|-")
	}
	img, err := readFile(e, fs.Arg(0), bake.MaxImageBytes)
	if err != nil {
		return failErr(e, "extract", err)
	}
	got, err := bake.Extract(img)
	if err != nil {
		return failErr(e, "extract", err)
	}
	noteOB2(e, got)
	// As issue prints a credential: the text as baked and a newline. It
	// was written by whoever made the image, so it must be safe on a
	// terminal: JSON gets its bidi and C1 code points written as \uXXXX
	// (the same JSON value, so the signature still verifies); other text
	// with a control character is not printed.
	cred := got.Credential
	isJSON := json.Valid(cred)
	if !isJSON && !badgeinput.IsCompactJWS(cred) {
		for _, r := range string(cred) {
			if r != '\t' && r != '\n' && r != '\r' && termsafe.Unsafe(r) {
				return fail(e, "extract: the text baked into this image is not a credential (it holds the control character %U); not printed", r)
			}
		}
	}
	return writeResult(e, cred, isJSON)
}

// readBadge reads a badge file (or standard input for "-"): at most
// limits.InputFileBytes, or bake.MaxImageBytes when it starts as a PNG or
// SVG image.
func readBadge(e env, path string) ([]byte, error) {
	var r io.Reader = e.stdin
	name := "standard input"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r, name = f, path
	}
	b, err := io.ReadAll(io.LimitReader(r, limits.InputFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) <= limits.InputFileBytes {
		return b, nil
	}
	if bake.Kind(b) == bake.Unknown {
		return nil, &limits.TooLargeError{Name: name, Limit: limits.InputFileBytes}
	}
	rest, err := limits.ReadAll(r, int64(bake.MaxImageBytes-len(b)), name)
	var tooLarge *limits.TooLargeError
	if errors.As(err, &tooLarge) {
		tooLarge.Limit = bake.MaxImageBytes
	}
	if err != nil {
		return nil, err
	}
	return append(b, rest...), nil
}

// unbake returns the badge inside a baked PNG or SVG, or data itself when
// it is not an image. An image without a badge is an error (reported as
// such, exit 2), not a badge that failed verification.
func unbake(e env, data []byte) ([]byte, error) {
	if bake.Kind(data) == bake.Unknown {
		return data, nil
	}
	got, err := bake.Extract(data)
	if err != nil {
		if errors.Is(err, bake.ErrNoCredential) {
			return nil, err
		}
		return nil, fmt.Errorf("could not read this image: %w", err)
	}
	noteOB2(e, got)
	return bytes.TrimSpace(got.Credential), nil
}

func noteOB2(e env, got bake.Extracted) {
	if got.Version == bake.OB2 {
		fmt.Fprintf(e.stderr, "blason: this %s holds an Open Badges 2.0 badge (the older format)\n", got.Format)
	}
}

// writeFile writes data to path. Without force an existing file is never
// touched (O_EXCL); with force the new content replaces it atomically (a
// failed write leaves the old file). A partial file is removed.
func writeFile(path string, data []byte, force bool) (err error) {
	if !force {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s already exists; refusing to overwrite it (use --force)", path)
		}
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
		}
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".blason-bake-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
