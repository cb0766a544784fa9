package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tensorforge/tensorforge/alexnet"
	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/fashionmnist"
	"github.com/tensorforge/tensorforge/internal/hostfile"
)

// imageSide is the height and width of a Fashion-MNIST image, the only size
// predict accepts: resizing a larger picture would not make it look like
// the training data.
const imageSide = 28

// maxImageFile bounds the size of an image file predict reads: a 28x28
// PNG takes a few hundred bytes, an IDX file of the 10,000 test images 8
// MB.
const maxImageFile = 256 << 20

func runPredict(ctx context.Context, env *env, args []string) error {
	fs := newFlagSet(env, "predict", "file...",
		"Classifies images with a checkpoint: 28x28 PNG or JPEG files (color ones are\n"+
			"converted to gray; Fashion-MNIST's clothes are light on a black background) or\n"+
			"IDX image files such as t10k-images-idx3-ubyte.gz. Prints each image's class\n"+
			"and the probabilities of the ten classes.")
	devFlags := addDeviceFlags(fs)
	load := loadFlag(fs)
	size := sizeFlag(fs)
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
	if err := checkLoadSize(*size); err != nil {
		return err
	}
	images, err := readImages(fs.Args())
	if err != nil {
		return err
	}
	dev, err := devFlags.open(env)
	if err != nil {
		return err
	}
	m, _, err := alexnet.Load(dev, *load, alexnet.Config{Size: *size, Inference: true, Precision: devFlags.precision.p})
	if err != nil {
		return err
	}
	defer m.Free()
	preds, err := classify.Predict(ctx, m, images.data, *batch)
	if ie := (*classify.ImageError)(nil); errors.As(err, &ie) {
		return fmt.Errorf("%s: %w", images.names[ie.Index], ie.Err)
	}
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

// pngMagic starts every PNG file, jpegMagic every JPEG file.
var (
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
	jpegMagic = []byte{0xff, 0xd8, 0xff}
)

// readImages reads each path as a PNG or JPEG if it starts as one, else as
// an IDX image file. A file that is none of them, or whose images are not
// 28x28, is a usage error naming the file; sizes are checked from the
// headers, before any pixels are decoded or inflated.
func readImages(paths []string) (*namedImages, error) {
	out := &namedImages{data: &fashionmnist.Dataset{Rows: imageSide, Cols: imageSide}}
	for _, path := range paths {
		head, err := sniff(path, len(pngMagic))
		if err != nil {
			return nil, usageError{err}
		}
		if bytes.HasPrefix(head, pngMagic) || bytes.HasPrefix(head, jpegMagic) {
			b, err := hostfile.ReadFile(path, maxImageFile)
			if err != nil {
				return nil, usageError{err}
			}
			im, err := classify.DecodeImage(b, 1)
			if err != nil {
				return nil, usagef("%s: %v", path, err)
			}
			if im.Height != imageSide || im.Width != imageSide {
				return nil, usagef("%s: image is %dx%d, want %dx%d", path, im.Width, im.Height, imageSide, imageSide)
			}
			out.add(path, im.Pixels)
			continue
		}
		idx, err := fashionmnist.ReadImagesFileChecked(path, func(n, rows, cols int) error {
			if rows != imageSide || cols != imageSide {
				return fmt.Errorf("images are %dx%d, want %dx%d", rows, cols, imageSide, imageSide)
			}
			return nil
		})
		if err != nil {
			return nil, usagef("neither a PNG, a JPEG nor an IDX image file of 28x28 images: %v", err)
		}
		for i := range idx.N {
			out.add(fmt.Sprintf("%s[%d]", path, i), idx.Pixels[i*imageSide*imageSide:(i+1)*imageSide*imageSide])
		}
	}
	return out, nil
}

// sniff returns the first n bytes of the regular file at path, or fewer if
// it is shorter.
func sniff(path string, n int) ([]byte, error) {
	f, _, err := hostfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, n)
	k, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return head[:k], nil
}

// add appends one image.
func (n *namedImages) add(name string, px []uint8) {
	n.names = append(n.names, name)
	n.data.Images = append(n.data.Images, px...)
}

// writePredictions prints each image's most likely class with its
// probability, then all ten, under a header naming the classes.
func writePredictions(w io.Writer, names []string, preds []classify.Prediction) error {
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
func writePredictionsJSON(w io.Writer, names []string, preds []classify.Prediction) error {
	enc := json.NewEncoder(w)
	for i, p := range preds {
		if err := enc.Encode(prediction{Image: names[i], Class: p.Class, Name: fashionmnist.ClassName(p.Class), Probabilities: p.Probabilities}); err != nil {
			return err
		}
	}
	return nil
}
