package rbm_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"placecell/compare/rbm"
	"placecell/ring"
)

// Example trains one ±1 hidden unit on 200 random configurations with the
// exact model term and full batches, and reports the time bookkeeping of
// the run.
func Example() {
	r := rand.New(rand.NewPCG(1, 2))
	data := ring.NewSpins(16, 200)
	for s := range data.Len() {
		for i := range data.Sites() {
			data.Set(s, i, int8(2*r.IntN(2)-1))
		}
	}
	res, err := rbm.Train(context.Background(), data, rbm.Config{
		Nu: 0.01, Batch: 200, Epochs: 250, Phase: rbm.Exact, RecordEvery: 100, Seed: 7,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, rec := range res.Records {
		fmt.Printf("update %3d  epoch %5.1f  t = %.2f\n", rec.Update, rec.Epoch, rec.T)
	}
	fmt.Printf("phase %v, σ0 = %.4f\n", res.Config.Phase, res.Config.Sigma0)
	// Output:
	// update   0  epoch   0.0  t = 0.00
	// update 100  epoch 100.0  t = 1.00
	// update 200  epoch 200.0  t = 2.00
	// update 250  epoch 250.0  t = 2.50
	// phase exact, σ0 = 0.0791
}

// Example_potts trains two double-well hidden units on discretised XY
// data (Potts visible units, zero-sum gauge) with PCD-5, then checks the
// gauge and reports the order parameters of the last record.
func Example_potts() {
	data := ring.Sample(ring.XY{N: 12, P: 5, Beta: 1.5}, 500, 1)
	res, err := rbm.Train(context.Background(), data, rbm.Config{
		Hidden: 2, Nu: 0.02, Batch: 50, Epochs: 5, Sweeps: 5, Chains: 50, Seed: 3,
		Visible: rbm.VisiblePotts, Unit: rbm.HiddenUnit{Type: rbm.HiddenDoubleWell, Theta: -1},
		Observe: rbm.Observe{PseudoLikelihood: true},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fin := res.Final()
	var colourSum float64
	for i := 0; i < len(fin.W); i += 5 {
		s := fin.W[i] + fin.W[i+1] + fin.W[i+2] + fin.W[i+3] + fin.W[i+4]
		colourSum = max(colourSum, s, -s)
	}
	fmt.Printf("%d records, q = %d, weights of shape %d×%d×%d\n", len(res.Records), res.Q, res.Config.Hidden, res.N, res.Q)
	fmt.Printf("colour sums of w below 1e-15: %v\n", colourSum < 1e-15)
	fmt.Printf("gauge: %s\n", res.Gauge)
	fmt.Printf("pseudo-likelihood per site is finite: %v\n", fin.PseudoLikelihood < 0)
	// Output:
	// 2 records, q = 5, weights of shape 2×12×5
	// colour sums of w below 1e-15: true
	// gauge: hidden precisions γ fixed at their initial values; zero-sum Potts gauge on weights and fields
	// pseudo-likelihood per site is finite: true
}
