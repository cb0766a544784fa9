package classify

import "fmt"

// Dataset is a set of images, labelled or not, that training, evaluation
// and prediction read by index. fashionmnist.Dataset is one; any source of
// small images held in memory or read on demand can be another.
//
// Read-only use from several goroutines must be safe: a Loader reads a
// Dataset from the goroutine that assembles its next batch.
type Dataset interface {
	// Len returns the number of images.
	Len() int
	// Shape returns the size of every image: channels, height and width.
	Shape() (channels, height, width int)
	// Image returns image i's pixels, channels*height*width bytes in
	// channel-major (CHW) order, 0 black to 255 white. The caller only
	// reads them.
	Image(i int) []uint8
	// Label returns image i's class, from 0, or -1 when the set has no
	// labels.
	Label(i int) int
}

// Image is one image as raw pixels.
type Image struct {
	// Pixels holds Channels*Height*Width bytes in channel-major (CHW)
	// order, 0 black to 255 white.
	Pixels []uint8
	// Channels, Height and Width are the image's size.
	Channels, Height, Width int
}

// MaxImageSide bounds an image's height and width, so that an image's size
// read from a file or a request is refused before anything is allocated
// for it: 4096 is eighteen times the book's 224.
const MaxImageSide = 4096

// checkSize reports sides outside [1, MaxImageSide] or a channel count
// outside [1, 4].
func (im Image) checkSize() error {
	for _, d := range []struct {
		name string
		v    int
	}{{"height", im.Height}, {"width", im.Width}} {
		if d.v < 1 || d.v > MaxImageSide {
			return fmt.Errorf("%s %d: want 1 to %d", d.name, d.v, MaxImageSide)
		}
	}
	if im.Channels < 1 || im.Channels > 4 {
		return fmt.Errorf("%d channels: want 1 to 4", im.Channels)
	}
	return nil
}

// check reports an image whose size is out of bounds or does not agree
// with its pixels.
func (im Image) check() error {
	if err := im.checkSize(); err != nil {
		return err
	}
	if want := im.Channels * im.Height * im.Width; len(im.Pixels) != want {
		return fmt.Errorf("%d bytes of pixels for %dx%dx%d, want %d", len(im.Pixels), im.Channels, im.Height, im.Width, want)
	}
	return nil
}
