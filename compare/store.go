package compare

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"placecell/internal/atomicfile"
)

// Store keeps the results of finished runs, so that an experiment that is
// interrupted and started again with the same parameters skips them.
type Store interface {
	// Load fills v with the result saved under key and reports whether
	// one was found.
	Load(key string, v any) (bool, error)
	// Save records v under key.
	Save(key string, v any) error
}

// DirStore is a Store keeping one JSON file per run in a directory, each
// written atomically.
type DirStore string

// Load implements Store.
func (d DirStore) Load(key string, v any) (bool, error) {
	b, err := os.ReadFile(filepath.Join(string(d), key+".json"))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("compare: could not read saved run: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		// A damaged file is recomputed rather than trusted.
		return false, nil
	}
	return true, nil
}

// Save implements Store.
func (d DirStore) Save(key string, v any) error {
	if err := os.MkdirAll(string(d), 0o755); err != nil {
		return fmt.Errorf("compare: could not create run store: %w", err)
	}
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return fmt.Errorf("compare: could not encode run: %w", err)
	}
	return atomicfile.WriteBytes(filepath.Join(string(d), key+".json"), b)
}

// runKey returns prefix followed by a hash of the JSON encoding of params,
// so that a run is only reused by an experiment with identical parameters.
func runKey(prefix string, params any) string {
	b, err := json.Marshal(params)
	if err != nil {
		panic(fmt.Sprintf("compare: unencodable run parameters: %v", err))
	}
	h := sha256.Sum256(b)
	return prefix + "-" + hex.EncodeToString(h[:8])
}
