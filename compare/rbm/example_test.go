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
