package main

import (
	"fmt"
	"image"
	"image/color"
	_ "image/png" // registers the decoder image.Decode uses
	"os"
)

// imageSide is the height and width of a Fashion-MNIST image, the only size
// predict accepts: resizing a larger picture would not make it look like
// the training data.
const imageSide = 28

// readPNG returns the pixels of a 28x28 PNG file as 8-bit gray, row by row.
// Color images are converted with the usual luma weights; transparent
// pixels become black, Fashion-MNIST's background.
func readPNG(path string) ([]uint8, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, format, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: not a PNG image: %w", path, err)
	}
	if format != "png" {
		return nil, fmt.Errorf("%s: a %s image, want PNG", path, format)
	}
	b := img.Bounds()
	if b.Dx() != imageSide || b.Dy() != imageSide {
		return nil, fmt.Errorf("%s: image is %dx%d, want %dx%d", path, b.Dx(), b.Dy(), imageSide, imageSide)
	}
	px := make([]uint8, 0, imageSide*imageSide)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			px = append(px, color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y)
		}
	}
	return px, nil
}
