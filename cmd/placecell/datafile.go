package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"placecell/ring"
)

// readDataFile reads a data file for model m. When the read fails and
// the file's sidecar (PATH.json, written by placecell sample) names another
// model than the one in use, the error says which flags read the file.
func readDataFile(c *cli.Context, path string, m ring.Model) (ring.Data, error) {
	d, err := ring.ReadDataFile(path, m)
	if err == nil {
		return d, nil
	}
	b, rerr := os.ReadFile(path + ".json")
	if rerr != nil {
		return nil, err
	}
	var side struct {
		Model  string `json:"model"`
		Params []struct {
			Name  string  `json:"name"`
			Value float64 `json:"value"`
		} `json:"params"`
	}
	if json.Unmarshal(b, &side) != nil || side.Model == "" || side.Model == m.Name() || c.IsSet("model") {
		return nil, err
	}
	flags := []string{"--model " + side.Model}
	for _, p := range side.Params {
		if p.Name == "p" {
			flags = append(flags, fmt.Sprintf("--p %g", p.Value))
		}
	}
	return nil, fmt.Errorf("%w (%s.json says it holds %s data: add %s)", err, path, side.Model, strings.Join(flags, " "))
}
