package rbm

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	"codeberg.org/sbinet/npyio/npy"

	"placecell/internal/atomicfile"
	"placecell/internal/jsonfloat"
	"placecell/internal/version"
	"placecell/ring"
)

// File formats (SIMULATOR.md §7).
//
// A trajectory saved with (*Result).Save(prefix) is the JSON header
// prefix.json and four float64 NumPy arrays, R being the number of records:
//
//	prefix-weights.npy  (R, M, N), or (R, M, N, q) for Potts units (w_μi(c))
//	prefix-fields.npy   (R, N), or (R, N, q)
//	prefix-hidden.npy   (R, K, M), row k the hidden parameter HiddenNames[k]
//	prefix-fourier.npy  (R, M, ⌊N/2⌋+1), or (R, M, q, ⌊N/2⌋+1)
//
// The header holds the format name and version, the code version, the
// configuration with every default filled in (seed included), N, S, q,
// the data provenance given by the caller, the gauge, the array layouts,
// and per record the scalar and per-unit observables. NaN is written as
// null, ±Inf as the strings "+Inf" and "-Inf".
//
// A checkpoint (Checkpoint, WriteCheckpoint) is one JSON file with the
// whole state of a Trainer: parameters, optimiser moments, batch-norm
// state, chain states, every random stream (PCG MarshalBinary, base64),
// the permutation and position in the epoch, update count, learning time,
// tempering counters and observable state, and a fingerprint of the data.

const (
	trajectoryFormat = "placecell-rbm-trajectory"
	checkpointFormat = "placecell-rbm-checkpoint"
	formatVersion    = 1
)

// jfloat is a float64 that round-trips exactly through JSON (NaN as null,
// ±Inf as strings).
type jfloat = jsonfloat.Exact

func jfloats(x []float64) []jfloat { return jsonfloat.Slice[jfloat](x) }

func floats64(x []jfloat) []float64 { return jsonfloat.Float64s(x) }

type aisJSON struct {
	Runs          int    `json:"runs"`
	Steps         int    `json:"steps"`
	LogZ0         jfloat `json:"log_z0"`
	LogZ          jfloat `json:"log_z"`
	LogZSE        jfloat `json:"log_z_se"`
	LogZMeanLog   jfloat `json:"log_z_mean_log"`
	ReverseLogZ   jfloat `json:"reverse_log_z"`
	ReverseLogZSE jfloat `json:"reverse_log_z_se"`
}

type chainsJSON struct {
	Magnetisation    jfloat   `json:"magnetisation"`
	AbsMagnetisation jfloat   `json:"abs_magnetisation"`
	Autocorrelation  jfloat   `json:"autocorrelation"`
	PTAcceptance     []jfloat `json:"pt_acceptance,omitempty"`
}

type recordJSON struct {
	Update           int        `json:"update"`
	Epoch            jfloat     `json:"epoch"`
	T                jfloat     `json:"t"`
	Nu               jfloat     `json:"nu"`
	SumSq            []jfloat   `json:"sum_sq"`
	OrderW           []jfloat   `json:"order_w"`
	PR               []jfloat   `json:"pr"`
	FWHM             []jfloat   `json:"fwhm"`
	Centre           []jfloat   `json:"centre"`
	Concentration    []jfloat   `json:"concentration"`
	PseudoLikelihood jfloat     `json:"pseudo_likelihood_per_site"`
	LogLikelihood    jfloat     `json:"log_likelihood"`
	AIS              *aisJSON   `json:"ais,omitempty"`
	LogLikelihoodAIS [2]jfloat  `json:"log_likelihood_ais_bracket"`
	Chains           chainsJSON `json:"chains"`
}

type trajectoryJSON struct {
	Format          string         `json:"format"`
	FormatVersion   int            `json:"format_version"`
	Version         string         `json:"version"`
	Config          Config         `json:"config"`
	Seed            uint64         `json:"seed"`
	Mode            string         `json:"mode"`
	N               int            `json:"n"`
	S               int            `json:"s"`
	Q               int            `json:"q"`
	M               int            `json:"m"`
	UpdatesPerEpoch int            `json:"updates_per_epoch"`
	HiddenNames     []string       `json:"hidden_names"`
	Gauge           string         `json:"gauge"`
	ExtremeInputs   int64          `json:"extreme_inputs"`
	Data            map[string]any `json:"data"`
	PRName          string         `json:"pr_name"`
	Files           map[string]string
	Layouts         map[string]string
	Records         []recordJSON `json:"records"`
}

// ModeName returns "exact" for plain SGD with the exact model term, else
// the Mode's name (SIMULATOR.md §4 names three modes).
func (cfg Config) ModeName() string {
	if cfg.Mode == SGD && cfg.Phase == Exact {
		return "exact"
	}
	return cfg.Mode.String()
}

// arrayNames are the suffixes of the trajectory arrays.
var arrayNames = []string{"weights", "fields", "hidden", "fourier"}

// Save writes the trajectory as prefix.json and the prefix-*.npy arrays
// (see the file formats above), each file atomically.
func (r *Result) Save(prefix string) error {
	if len(r.Records) == 0 {
		return fmt.Errorf("rbm: no record to save")
	}
	m, n := r.Config.Hidden, r.N
	d := 1
	if r.Config.Visible == VisiblePotts {
		d = r.Q
	}
	h := trajectoryJSON{
		Format: trajectoryFormat, FormatVersion: formatVersion, Version: r.Version,
		Config: r.Config, Seed: r.Config.Seed, Mode: r.Config.ModeName(), N: n, S: r.S, Q: r.Q, M: m, UpdatesPerEpoch: r.UpdatesPerEpoch,
		HiddenNames: r.HiddenNames, Gauge: r.Gauge, ExtremeInputs: r.ExtremeInputs, Data: r.Data,
		PRName: fmt.Sprintf("pr%g: (Σ_i |w_μi|^a)² / (N Σ_i |w_μi|^(2a)), a = %g", r.Config.PRExponent, r.Config.PRExponent),
		Files:  map[string]string{},
		Layouts: map[string]string{
			"weights": "(record, unit μ, site i[, colour c]) float64, w_μi(c)",
			"fields":  "(record, site i[, colour c]) float64",
			"hidden":  "(record, parameter k of hidden_names, unit μ) float64",
			"fourier": "(record, unit μ[, colour c], mode k = 0..⌊N/2⌋) float64, |ŵ(k)|² normalised so that the modes sum to Σ_i w_μi²",
		},
	}
	for _, name := range arrayNames {
		h.Files[name] = baseName(prefix) + "-" + name + ".npy"
	}
	nk := n/2 + 1
	shapes := map[string][]int{
		"weights": {m, n}, "fields": {n}, "hidden": {len(r.HiddenNames), m}, "fourier": {m, nk},
	}
	if d > 1 {
		shapes["weights"] = []int{m, n, d}
		shapes["fields"] = []int{n, d}
		shapes["fourier"] = []int{m, d, nk}
	}
	arrays := map[string][]float64{}
	for _, rec := range r.Records {
		arrays["weights"] = append(arrays["weights"], rec.W...)
		arrays["fields"] = append(arrays["fields"], rec.Fields...)
		arrays["hidden"] = append(arrays["hidden"], rec.Hidden...)
		arrays["fourier"] = append(arrays["fourier"], rec.Units.Fourier...)
		rj := recordJSON{
			Update: rec.Update, Epoch: jfloat(rec.Epoch), T: jfloat(rec.T), Nu: jfloat(rec.Nu),
			SumSq: jfloats(rec.Units.SumSq), OrderW: jfloats(rec.Units.OrderW), PR: jfloats(rec.Units.PR), FWHM: jfloats(rec.Units.FWHM),
			Centre: jfloats(rec.Units.Centre), Concentration: jfloats(rec.Units.Concentration),
			PseudoLikelihood: jfloat(rec.PseudoLikelihood), LogLikelihood: jfloat(rec.LogLikelihood),
			LogLikelihoodAIS: [2]jfloat{jfloat(rec.LogLikelihoodAIS[0]), jfloat(rec.LogLikelihoodAIS[1])},
			Chains: chainsJSON{Magnetisation: jfloat(rec.Chains.Magnetisation), AbsMagnetisation: jfloat(rec.Chains.AbsMagnetisation),
				Autocorrelation: jfloat(rec.Chains.Autocorrelation), PTAcceptance: jfloats(rec.Chains.PTAcceptance)},
		}
		if a := rec.AIS; a.Runs > 0 {
			rj.AIS = &aisJSON{a.Runs, a.Steps, jfloat(a.LogZ0), jfloat(a.LogZ), jfloat(a.LogZSE), jfloat(a.LogZMeanLog), jfloat(a.ReverseLogZ), jfloat(a.ReverseLogZSE)}
		}
		h.Records = append(h.Records, rj)
	}
	for _, name := range arrayNames {
		shape := append([]int{len(r.Records)}, shapes[name]...)
		data := arrays[name]
		if want := prod(shape); len(data) != want {
			return fmt.Errorf("rbm: %s of the records hold %d values, want %d for shape %v", name, len(data), want, shape)
		}
		if err := atomicfile.Write(prefix+"-"+name+".npy", func(w io.Writer) error { return WriteNPY(w, shape, data) }); err != nil {
			return err
		}
	}
	js, err := json.MarshalIndent(h, "", " ")
	if err != nil {
		return fmt.Errorf("rbm: could not encode the trajectory header: %w", err)
	}
	return atomicfile.WriteBytes(prefix+".json", append(js, '\n'))
}

func baseName(p string) string {
	if k := strings.LastIndexAny(p, `/\`); k >= 0 {
		return p[k+1:]
	}
	return p
}

func prod(x []int) int {
	p := 1
	for _, v := range x {
		p *= v
	}
	return p
}

// WriteNPY writes data as a little-endian float64 C-order NumPy array
// (format version 1.0) of the given shape, the format of the trajectory
// files Save writes. It panics if the shape does not hold len(data) values.
func WriteNPY(w io.Writer, shape []int, data []float64) error {
	if prod(shape) != len(data) {
		panic(fmt.Sprintf("rbm: shape %v does not hold %d values", shape, len(data)))
	}
	var sh strings.Builder
	for k, v := range shape {
		if k > 0 {
			sh.WriteString(", ")
		}
		sh.WriteString(strconv.Itoa(v))
	}
	if len(shape) == 1 {
		sh.WriteString(",")
	}
	dict := fmt.Sprintf("{'descr': '<f8', 'fortran_order': False, 'shape': (%s), }", sh.String())
	const preamble = 10
	pad := (64 - (preamble+len(dict)+1)%64) % 64
	hdr := make([]byte, 0, preamble+len(dict)+pad+1)
	hdr = append(hdr, npy.Magic[:]...)
	hdr = append(hdr, 1, 0)
	hdr = binary.LittleEndian.AppendUint16(hdr, uint16(len(dict)+pad+1))
	hdr = append(hdr, dict...)
	hdr = append(hdr, bytes.Repeat([]byte{' '}, pad)...)
	hdr = append(hdr, '\n')
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.Write(hdr)
	var buf [8]byte
	for _, v := range data {
		binary.LittleEndian.PutUint64(buf[:], math.Float64bits(v))
		bw.Write(buf[:])
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("rbm: could not write npy data: %w", err)
	}
	return nil
}

// ReadNPY reads a C-order NumPy array of float64, float32 or integer
// type and returns its shape and values as float64.
func ReadNPY(path string) (shape []int, data []float64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("rbm: could not open array: %w", err)
	}
	defer f.Close()
	defer func() {
		if p := recover(); p != nil {
			shape, data, err = nil, nil, fmt.Errorf("rbm: %s: malformed npy file (%v); re-save it with numpy.save", path, p)
		}
	}()
	r, err := npy.NewReader(bufio.NewReader(f))
	if err != nil {
		return nil, nil, fmt.Errorf("rbm: %s: not a readable npy file: %v", path, err)
	}
	hd := r.Header.Descr
	if hd.Fortran {
		return nil, nil, fmt.Errorf("rbm: %s: Fortran-order array; save it in C order (numpy.ascontiguousarray)", path)
	}
	shape = append([]int(nil), hd.Shape...)
	switch strings.TrimLeft(strings.Trim(hd.Type, "'\""), "<|=") {
	case "f8":
		err = r.Read(&data)
	case "f4":
		var x []float32
		if err = r.Read(&x); err == nil {
			data = make([]float64, len(x))
			for k, v := range x {
				data[k] = float64(v)
			}
		}
	case "i8":
		var x []int64
		if err = r.Read(&x); err == nil {
			data = make([]float64, len(x))
			for k, v := range x {
				data[k] = float64(v)
			}
		}
	default:
		return nil, nil, fmt.Errorf("rbm: %s: array type %s is not float64, float32 or int64", path, strings.Trim(hd.Type, "'\""))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("rbm: %s: %v", path, err)
	}
	if len(data) != prod(shape) {
		return nil, nil, fmt.Errorf("rbm: %s: %d values for shape %v", path, len(data), shape)
	}
	return shape, data, nil
}

// Load reads a trajectory written by Save. The returned Result equals the
// saved one: configuration, provenance and every record (W, fields, hidden
// parameters and observables; NaN where the original had NaN).
func Load(prefix string) (*Result, error) {
	b, err := os.ReadFile(prefix + ".json")
	if err != nil {
		return nil, fmt.Errorf("rbm: could not read the trajectory header: %w", err)
	}
	var h trajectoryJSON
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, fmt.Errorf("rbm: %s.json: %v", prefix, err)
	}
	if h.Format != trajectoryFormat || h.FormatVersion != formatVersion {
		return nil, fmt.Errorf("rbm: %s.json is not a %s file of version %d (format %q, version %d)", prefix, trajectoryFormat, formatVersion, h.Format, h.FormatVersion)
	}
	res := &Result{Config: h.Config, N: h.N, S: h.S, Q: h.Q, UpdatesPerEpoch: h.UpdatesPerEpoch,
		HiddenNames: h.HiddenNames, Gauge: h.Gauge, ExtremeInputs: h.ExtremeInputs, Version: h.Version, Data: h.Data}
	nrec := len(h.Records)
	arrays := map[string][]float64{}
	for _, name := range arrayNames {
		shape, data, err := ReadNPY(prefix + "-" + name + ".npy")
		if err != nil {
			return nil, err
		}
		if len(shape) == 0 || shape[0] != nrec {
			return nil, fmt.Errorf("rbm: %s-%s.npy has shape %v, want %d records", prefix, name, shape, nrec)
		}
		arrays[name] = data
	}
	for k, rj := range h.Records {
		rec := Record{Update: rj.Update, Epoch: float64(rj.Epoch), T: float64(rj.T), Nu: float64(rj.Nu),
			Units: UnitStats{SumSq: floats64(rj.SumSq), OrderW: floats64(rj.OrderW), PR: floats64(rj.PR), FWHM: floats64(rj.FWHM),
				Centre: floats64(rj.Centre), Concentration: floats64(rj.Concentration)},
			PseudoLikelihood: float64(rj.PseudoLikelihood), LogLikelihood: float64(rj.LogLikelihood),
			LogLikelihoodAIS: [2]float64{float64(rj.LogLikelihoodAIS[0]), float64(rj.LogLikelihoodAIS[1])},
			Chains: ChainStats{Magnetisation: float64(rj.Chains.Magnetisation), AbsMagnetisation: float64(rj.Chains.AbsMagnetisation),
				Autocorrelation: float64(rj.Chains.Autocorrelation), PTAcceptance: floats64(rj.Chains.PTAcceptance)},
		}
		if a := rj.AIS; a != nil {
			rec.AIS = AISResult{a.Runs, a.Steps, float64(a.LogZ0), float64(a.LogZ), float64(a.LogZSE), float64(a.LogZMeanLog), float64(a.ReverseLogZ), float64(a.ReverseLogZSE)}
		}
		slice := func(name string) []float64 {
			x := arrays[name]
			per := len(x) / nrec
			return append([]float64(nil), x[k*per:(k+1)*per]...)
		}
		rec.W, rec.Fields, rec.Hidden, rec.Units.Fourier = slice("weights"), slice("fields"), slice("hidden"), slice("fourier")
		res.Records = append(res.Records, rec)
	}
	return res, nil
}

// ImportWeights reads a weight trajectory written by another simulator,
// for instance PGM's recorded weights: a NumPy array of shape (R, M, N)
// for binary visible units or (R, M, N, q) for Potts units (float64,
// float32 or int64, C order, the layout of PGM's RBM.weights per record).
// It returns a Result whose records hold the weights and their order
// parameters (UnitStats with participation exponent prExponent, 2 if 0),
// Update = record index, T = times[k] if times is not nil (else NaN); the
// other observables are NaN and the configuration holds only M and the
// visible type.
func ImportWeights(path string, times []float64, prExponent float64) (*Result, error) {
	shape, data, err := ReadNPY(path)
	if err != nil {
		return nil, err
	}
	if len(shape) != 3 && len(shape) != 4 {
		return nil, fmt.Errorf("rbm: %s has shape %v; want (records, M, N) or (records, M, N, q)", path, shape)
	}
	r, m, n := shape[0], shape[1], shape[2]
	d, vis, q := 1, VisibleSpin, 2
	if len(shape) == 4 {
		d, vis, q = shape[3], VisiblePotts, shape[3]
	}
	if times != nil && len(times) != r {
		return nil, fmt.Errorf("rbm: %d times for %d records of %s", len(times), r, path)
	}
	if prExponent == 0 {
		prExponent = DefaultPRExponent
	}
	for k, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("rbm: %s: non-finite weight %v at flat index %d", path, v, k)
		}
	}
	res := &Result{Config: Config{Hidden: m, Visible: vis, PRExponent: prExponent}, N: n, Q: q,
		Data: map[string]any{"imported_from": path, "shape": fmt.Sprint(shape)}}
	per := m * n * d
	for k := range r {
		w := data[k*per : (k+1)*per]
		rec := Record{Update: k, Epoch: math.NaN(), T: math.NaN(), Nu: math.NaN(), W: append([]float64(nil), w...),
			Units: unitStats(w, m, n, d, prExponent), PseudoLikelihood: math.NaN(), LogLikelihood: math.NaN(),
			LogLikelihoodAIS: [2]float64{math.NaN(), math.NaN()},
			Chains:           ChainStats{Magnetisation: math.NaN(), AbsMagnetisation: math.NaN(), Autocorrelation: math.NaN()}}
		if times != nil {
			rec.T = times[k]
		}
		res.Records = append(res.Records, rec)
	}
	return res, nil
}

// Checkpoints.

type chainsState struct {
	Active int       `json:"active"`
	VB     []uint64  `json:"vb,omitempty"`
	VP     []byte    `json:"vp,omitempty"`
	HB     []uint64  `json:"hb,omitempty"`
	H      []float64 `json:"h,omitempty"`
	Src    [][]byte  `json:"src"`
}

// Checkpoint is the complete state of a Trainer, from which Resume
// continues bit for bit. It is JSON-marshalable (WriteCheckpoint).
type Checkpoint struct {
	Format        string  `json:"format"`
	FormatVersion int     `json:"format_version"`
	Version       string  `json:"version"`
	Config        Config  `json:"config"`
	N             int     `json:"n"`
	S             int     `json:"s"`
	Q             int     `json:"q"`
	DataHash      string  `json:"data_fnv64"`
	Updates       int     `json:"updates"`
	Time          float64 `json:"time"`
	Nu            float64 `json:"nu"`
	LastNorm      jfloat  `json:"last_gradient_norm"`
	Extreme       int64   `json:"extreme_inputs"`
	// Records is the number of records of the trajectory at the
	// checkpoint, so that a saved trajectory can be cut back to it.
	Records int `json:"records"`

	Params []float64 `json:"params"`
	Opt    []float64 `json:"rmsprop_moments,omitempty"`
	MuPrev []float64 `json:"batch_norm_mean_input,omitempty"`
	BNVar  []float64 `json:"batch_norm_var,omitempty"`
	Order  []byte    `json:"order_stream"`
	Perm   []int     `json:"perm"`
	Next   int       `json:"next"`

	Chains     *chainsState  `json:"chains,omitempty"`
	Replicas   []chainsState `json:"replicas,omitempty"`
	PTSrc      [][]byte      `json:"pt_streams,omitempty"`
	PTSweeps   int           `json:"pt_sweeps"`
	PTAttempts []int64       `json:"pt_attempts,omitempty"`
	PTAccepts  []int64       `json:"pt_accepts,omitempty"`

	PrevMag   []float64 `json:"prev_magnetisation,omitempty"`
	PTPrev    []int64   `json:"pt_prev,omitempty"`
	AISSrc    [][]byte  `json:"ais_streams,omitempty"`
	AISRevSrc [][]byte  `json:"ais_reverse_streams,omitempty"`
}

// dataHash returns the FNV-1a hash of the data as the trainer sees them.
func (ds *dataset) hash() string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d %d %d;", ds.n, ds.s, ds.q)
	var buf [8]byte
	for k := range ds.s {
		if ds.potts != nil {
			h.Write(ds.colours(k))
			continue
		}
		for _, w := range ds.words(k) {
			binary.LittleEndian.PutUint64(buf[:], w)
			h.Write(buf[:])
		}
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

func marshalPCG(dst [][]byte, src []*rand.PCG) [][]byte {
	for _, p := range src {
		b, err := p.MarshalBinary()
		if err != nil {
			panic(err) // PCG marshalling cannot fail
		}
		dst = append(dst, b)
	}
	return dst
}

func unmarshalPCG(dst []*rand.PCG, b [][]byte, what string) error {
	if len(b) != len(dst) {
		return fmt.Errorf("rbm: checkpoint has %d %s streams, want %d", len(b), what, len(dst))
	}
	for k, p := range dst {
		if err := p.UnmarshalBinary(b[k]); err != nil {
			return fmt.Errorf("rbm: checkpoint %s stream %d: %v", what, k, err)
		}
	}
	return nil
}

func saveChains(cs *chainSet) chainsState {
	return chainsState{Active: cs.active, VB: append([]uint64(nil), cs.vb...), VP: append([]byte(nil), cs.vp...),
		HB: append([]uint64(nil), cs.hb...), H: append([]float64(nil), cs.h...), Src: marshalPCG(nil, cs.src)}
}

func loadChains(cs *chainSet, st chainsState) error {
	if len(st.VB) != len(cs.vb) || len(st.VP) != len(cs.vp) || len(st.HB) != len(cs.hb) || len(st.H) != len(cs.h) {
		return fmt.Errorf("rbm: checkpoint chain states do not match the configuration")
	}
	cs.active = st.Active
	copy(cs.vb, st.VB)
	copy(cs.vp, st.VP)
	copy(cs.hb, st.HB)
	copy(cs.h, st.H)
	return unmarshalPCG(cs.src, st.Src, "chain")
}

// Checkpoint returns the complete state of t; records is the number of
// records taken so far (len(res.Records)), stored for Resume's caller.
func (t *Trainer) Checkpoint(records int) *Checkpoint {
	ck := &Checkpoint{
		Format: checkpointFormat, FormatVersion: formatVersion, Version: version.String(),
		Config: t.cfg, N: t.n, S: t.s, Q: t.q, DataHash: t.ds.hash(),
		Updates: t.updates, Time: t.time, Nu: t.nu, LastNorm: jfloat(t.lastNorm), Extreme: t.extreme, Records: records,
		Params: append([]float64(nil), t.params...), Opt: append([]float64(nil), t.opt...),
		MuPrev: append([]float64(nil), t.muPrev...), BNVar: append([]float64(nil), t.obs.bnVar...),
		Perm: append([]int(nil), t.perm...), Next: t.next,
		PrevMag: append([]float64(nil), t.obs.prevMag...), PTPrev: append([]int64(nil), t.obs.ptPrev...),
		AISSrc: marshalPCG(nil, t.obs.aisSrc), AISRevSrc: marshalPCG(nil, t.obs.aisRevSrc),
	}
	ck.Order = marshalPCG(nil, []*rand.PCG{t.orderSrc})[0]
	if t.chains != nil {
		st := saveChains(t.chains)
		ck.Chains = &st
	}
	if pt := t.pt; pt != nil {
		for _, cs := range pt.sets[1:] {
			ck.Replicas = append(ck.Replicas, saveChains(cs))
		}
		ck.PTSrc = marshalPCG(nil, pt.src)
		ck.PTSweeps = pt.sweeps
		ck.PTAttempts = append([]int64(nil), pt.attempts...)
		ck.PTAccepts = append([]int64(nil), pt.accepts...)
	}
	return ck
}

// Resume returns a trainer in the state of the checkpoint, on the same
// data (checked by fingerprint). Continuing it gives bitwise the same
// parameters, chains and records as the uninterrupted run. progress, if
// not nil, becomes Config.Progress.
func Resume(data ring.Data, ck *Checkpoint, progress func(done, total int)) (*Trainer, error) {
	if ck.Format != checkpointFormat || ck.FormatVersion != formatVersion {
		return nil, fmt.Errorf("rbm: not a %s of version %d (format %q, version %d)", checkpointFormat, formatVersion, ck.Format, ck.FormatVersion)
	}
	cfg := ck.Config
	cfg.Progress = progress
	t, err := NewTrainer(data, cfg)
	if err != nil {
		return nil, err
	}
	if t.n != ck.N || t.s != ck.S || t.q != ck.Q {
		return nil, fmt.Errorf("rbm: checkpoint is for N = %d, S = %d, q = %d; the data have N = %d, S = %d, q = %d", ck.N, ck.S, ck.Q, t.n, t.s, t.q)
	}
	if h := t.ds.hash(); h != ck.DataHash {
		return nil, fmt.Errorf("rbm: the data differ from the checkpoint's (fingerprint %s, want %s)", h, ck.DataHash)
	}
	if len(ck.Params) != len(t.params) || len(ck.Opt) != len(t.opt) || len(ck.MuPrev) != len(t.muPrev) || len(ck.Perm) != len(t.perm) {
		return nil, fmt.Errorf("rbm: checkpoint arrays do not match the configuration")
	}
	copy(t.params, ck.Params)
	copy(t.opt, ck.Opt)
	copy(t.muPrev, ck.MuPrev)
	t.obs.bnVar = append([]float64(nil), ck.BNVar...)
	if len(t.obs.bnVar) == 0 {
		t.obs.bnVar = nil
	}
	copy(t.perm, ck.Perm)
	t.next, t.updates, t.time, t.nu, t.lastNorm, t.extreme = ck.Next, ck.Updates, ck.Time, ck.Nu, float64(ck.LastNorm), ck.Extreme
	if err := t.orderSrc.UnmarshalBinary(ck.Order); err != nil {
		return nil, fmt.Errorf("rbm: checkpoint order stream: %v", err)
	}
	if (ck.Chains == nil) != (t.chains == nil) {
		return nil, fmt.Errorf("rbm: checkpoint chains do not match the configuration")
	}
	if t.chains != nil {
		if err := loadChains(t.chains, *ck.Chains); err != nil {
			return nil, err
		}
	}
	if pt := t.pt; pt != nil {
		if len(ck.Replicas) != len(pt.sets)-1 {
			return nil, fmt.Errorf("rbm: checkpoint has %d replicas, want %d", len(ck.Replicas)+1, len(pt.sets))
		}
		for k, cs := range pt.sets[1:] {
			if err := loadChains(cs, ck.Replicas[k]); err != nil {
				return nil, err
			}
		}
		if err := unmarshalPCG(pt.src, ck.PTSrc, "tempering"); err != nil {
			return nil, err
		}
		pt.sweeps = ck.PTSweeps
		copy(pt.attempts, ck.PTAttempts)
		copy(pt.accepts, ck.PTAccepts)
	}
	t.obs.prevMag = append([]float64(nil), ck.PrevMag...)
	if len(t.obs.prevMag) == 0 {
		t.obs.prevMag = nil
	}
	copy(t.obs.ptPrev, ck.PTPrev)
	if err := unmarshalPCG(t.obs.aisSrc, ck.AISSrc, "AIS"); err != nil {
		return nil, err
	}
	if err := unmarshalPCG(t.obs.aisRevSrc, ck.AISRevSrc, "reverse AIS"); err != nil {
		return nil, err
	}
	return t, nil
}

// WriteCheckpoint writes ck as JSON to path, atomically.
func WriteCheckpoint(path string, ck *Checkpoint) error {
	b, err := json.Marshal(ck)
	if err != nil {
		return fmt.Errorf("rbm: could not encode the checkpoint: %w", err)
	}
	return atomicfile.WriteBytes(path, append(b, '\n'))
}

// ReadCheckpoint reads a checkpoint written by WriteCheckpoint.
func ReadCheckpoint(path string) (*Checkpoint, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("rbm: could not read the checkpoint: %w", err)
	}
	var ck Checkpoint
	if err := json.Unmarshal(b, &ck); err != nil {
		return nil, fmt.Errorf("rbm: %s: %v", path, err)
	}
	if ck.Format != checkpointFormat {
		return nil, fmt.Errorf("rbm: %s is not a checkpoint (format %q)", path, ck.Format)
	}
	return &ck, nil
}
