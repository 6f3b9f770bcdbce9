// Package rng derives named, independent random streams from one master
// seed.
//
// Every stochastic component of placecell draws from its own PCG stream,
// identified by (master seed, stream name, index): the data generator uses
// ("data", block), each persistent chain uses ("chain", c), weight
// initialisation uses ("init", 0), and so on. A stream's state depends only
// on that triple, never on goroutine scheduling, so a run is reproducible
// bit for bit whatever the number of cores.
package rng
