// Package version identifies the placecell code that produced an output.
package version
