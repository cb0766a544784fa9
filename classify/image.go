package classify

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // registers the decoder DecodeImage uses for JPEG
	_ "image/png"  // and for PNG
)

// DecodeImage decodes a PNG or JPEG image and converts it to raw pixels of
// the given channel count (see FromImage). It reads the size the header
// declares first and refuses sides above MaxImageSide before decoding a
// pixel: a 74-byte PNG can declare 100000x100000 pixels, 80 GB decoded.
func DecodeImage(data []byte, channels int) (Image, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Image{}, fmt.Errorf("not a PNG or JPEG image: %w", err)
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxImageSide || cfg.Height > MaxImageSide {
		return Image{}, fmt.Errorf("%s image of %dx%d: each side must be 1 to %d", format, cfg.Width, cfg.Height, MaxImageSide)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return Image{}, fmt.Errorf("%s image: %w", format, err)
	}
	return FromImage(img, channels)
}

// FromImage converts img to raw pixels: gray with the usual luma weights
// for 1 channel, red, green and blue planes for 3. Transparent pixels
// become black, Fashion-MNIST's background.
func FromImage(img image.Image, channels int) (Image, error) {
	b := img.Bounds()
	out := Image{Channels: channels, Height: b.Dy(), Width: b.Dx()}
	if err := out.checkSize(); err != nil {
		return Image{}, err
	}
	plane := out.Height * out.Width
	out.Pixels = make([]uint8, channels*plane)
	i := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := img.At(x, y)
			switch channels {
			case 1:
				out.Pixels[i] = color.GrayModel.Convert(c).(color.Gray).Y
			case 3:
				rgb := color.RGBAModel.Convert(c).(color.RGBA)
				out.Pixels[i], out.Pixels[plane+i], out.Pixels[2*plane+i] = rgb.R, rgb.G, rgb.B
			default:
				return Image{}, fmt.Errorf("%d channels: an image converts to 1 (gray) or 3 (RGB)", channels)
			}
			i++
		}
	}
	return out, nil
}
