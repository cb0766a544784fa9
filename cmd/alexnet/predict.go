package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tensorforge/tensorforge/alexnet"
	"github.com/tensorforge/tensorforge/fashionmnist"
)

func runPredict(ctx context.Context, env *env, args []string) error {
	fs := newFlagSet(env, "predict", "file...",
		"Classifies images with a checkpoint: 28x28 PNG files (color ones are converted\n"+
			"to gray; Fashion-MNIST's clothes are light on a black background) or IDX\n"+
			"image files such as t10k-images-idx3-ubyte.gz. Prints each image's class and\n"+
			"the probabilities of the ten classes.")
	devFlags := addDeviceFlags(fs)
	load := loadFlag(fs)
	batch := fs.Int("batch", 128, "images per forward pass")
	asJSON := fs.Bool("json", false, "print one JSON object per line and image: its name, class and the 10 probabilities")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("no image files given")
	}
	if err := atLeast("batch", *batch, 1); err != nil {
		return err
	}
	if err := existingFile("load", *load); err != nil {
		return err
	}
	images, err := readImages(fs.Args())
	if err != nil {
		return err
	}
	dev, err := devFlags.open()
	if err != nil {
		return err
	}
	m, _, err := alexnet.Load(dev, *load, alexnet.Config{})
	if err != nil {
		return err
	}
	preds, err := alexnet.Predict(ctx, m, images.data, *batch)
	if err != nil {
		return err
	}
	if *asJSON {
		return writePredictionsJSON(env.stdout, images.names, preds)
	}
	return writePredictions(env.stdout, images.names, preds)
}

// namedImages are the images given on the command line, in order, with a
// name for each: the file's, and an index within an IDX file.
type namedImages struct {
	names []string
	data  *fashionmnist.Dataset
}

// pngMagic starts every PNG file.
var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// readImages reads each path as a PNG if it starts as one, else as an IDX
// image file. A file that is neither, or a PNG that is not 28x28, is a
// usage error naming the file.
func readImages(paths []string) (*namedImages, error) {
	out := &namedImages{data: &fashionmnist.Dataset{Rows: imageSide, Cols: imageSide}}
	for _, path := range paths {
		head := make([]byte, len(pngMagic))
		f, err := os.Open(path)
		if err != nil {
			return nil, usageError{err}
		}
		_, err = io.ReadFull(f, head)
		f.Close()
		if bytes.Equal(head, pngMagic) && err == nil {
			px, err := readPNG(path)
			if err != nil {
				return nil, usageError{err}
			}
			out.add(path, px)
			continue
		}
		idx, err := fashionmnist.ReadImagesFile(path)
		if err != nil {
			return nil, usagef("%s: neither a PNG nor an IDX image file (%v)", path, err)
		}
		if idx.Rows != imageSide || idx.Cols != imageSide {
			return nil, usagef("%s: images are %dx%d, want %dx%d", path, idx.Rows, idx.Cols, imageSide, imageSide)
		}
		for i := range idx.N {
			out.add(fmt.Sprintf("%s[%d]", path, i), idx.Pixels[i*imageSide*imageSide:(i+1)*imageSide*imageSide])
		}
	}
	return out, nil
}

// add appends one image, with a label the model ignores.
func (n *namedImages) add(name string, px []uint8) {
	n.names = append(n.names, name)
	n.data.Images = append(n.data.Images, px...)
	n.data.Labels = append(n.data.Labels, 0)
}

// writePredictions prints each image's most likely class with its
// probability, then all ten, under a header naming the classes.
func writePredictions(w io.Writer, names []string, preds []alexnet.Prediction) error {
	classes := make([]string, fashionmnist.NumClasses)
	for i := range classes {
		classes[i] = fmt.Sprintf("%d %s", i, fashionmnist.ClassName(i))
	}
	fmt.Fprintf(w, "probabilities in class order: %s\n", strings.Join(classes, ", "))
	for i, p := range preds {
		var all strings.Builder
		for _, q := range p.Probabilities {
			fmt.Fprintf(&all, " %.4f", q)
		}
		if _, err := fmt.Fprintf(w, "%s: %d %s (%.4f);%s\n", names[i], p.Class, fashionmnist.ClassName(p.Class), p.Probabilities[p.Class], all.String()); err != nil {
			return err
		}
	}
	return nil
}

// prediction is the JSON form of one image's result.
type prediction struct {
	Image         string    `json:"image"`
	Class         int       `json:"class"`
	Name          string    `json:"name"`
	Probabilities []float64 `json:"probabilities"`
}

// writePredictionsJSON prints one JSON object per line and image.
func writePredictionsJSON(w io.Writer, names []string, preds []alexnet.Prediction) error {
	enc := json.NewEncoder(w)
	for i, p := range preds {
		if err := enc.Encode(prediction{Image: names[i], Class: p.Class, Name: fashionmnist.ClassName(p.Class), Probabilities: p.Probabilities}); err != nil {
			return err
		}
	}
	return nil
}
