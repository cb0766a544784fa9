package main

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/tensorforge/tensorforge/classify"
)

// maxBody bounds an image upload: a 28x28 PNG takes a few hundred bytes.
const maxBody = 8 << 20

// result is the JSON answer to one image.
type result struct {
	Class         int       `json:"class"`
	Name          string    `json:"name"`
	Probabilities []float64 `json:"probabilities"`
}

// newHandler answers POST /predict, whose body is one PNG or JPEG image,
// with its prediction as JSON; className names a class. Bad images get 400
// with the reason, a stopped predictor 503.
func newHandler(p *classify.Predictor, className func(int) string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /predict", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			http.Error(w, "reading the image: "+err.Error(), http.StatusRequestEntityTooLarge)
			return
		}
		img, err := classify.DecodeImage(body, 1)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		preds, err := p.Predict(r.Context(), img)
		var ie *classify.ImageError
		switch {
		case errors.Is(err, classify.ErrClosed):
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		case errors.As(err, &ie):
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		case err != nil:
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(result{Class: preds[0].Class, Name: className(preds[0].Class), Probabilities: preds[0].Probabilities})
	})
	return mux
}
