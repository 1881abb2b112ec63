package restoregrpc

import (
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"io"
)

// ImageSource streams an image.Image: 16-bit when the image is (Gray16, RGBA64, NRGBA64), gray when it is
// (Gray, Gray16), else 8-bit RGB. Alpha is not streamed.
type ImageSource struct {
	img    image.Image
	format PixelFormat
}

// NewImageSource reads tiles from img in its natural pixel format.
func NewImageSource(img image.Image) *ImageSource {
	format := PixelFormat{BitDepth: 8, Channels: 3}
	switch img.(type) {
	case *image.Gray:
		format.Channels = 1
	case *image.Gray16:
		format = PixelFormat{BitDepth: 16, Channels: 1}
	case *image.RGBA64, *image.NRGBA64:
		format.BitDepth = 16
	}
	return &ImageSource{img: img, format: format}
}

// NewImageSourceAs reads tiles from img converted to format (e.g. 8-bit RGB from a 16-bit image).
func NewImageSourceAs(img image.Image, format PixelFormat) (*ImageSource, error) {
	if (format.BitDepth != 8 && format.BitDepth != 16) || (format.Channels != 1 && format.Channels != 3) {
		return nil, fmt.Errorf("restoregrpc: unsupported pixel format %+v", format)
	}
	return &ImageSource{img: img, format: format}, nil
}

func (s *ImageSource) Width() int          { return s.img.Bounds().Dx() }
func (s *ImageSource) Height() int         { return s.img.Bounds().Dy() }
func (s *ImageSource) Format() PixelFormat { return s.format }

// ReadWindow writes the window's pixels; fast paths for *image.RGBA, *image.NRGBA and *image.Gray.
func (s *ImageSource) ReadWindow(window Rect, dst []byte) error {
	bpp := s.format.BytesPerPixel()
	if len(dst) < window.Area()*bpp {
		return fmt.Errorf("restoregrpc: window buffer of %d bytes for %v", len(dst), window)
	}
	min := s.img.Bounds().Min
	if s.format == (PixelFormat{8, 3}) {
		var pix []uint8
		var stride int
		switch img := s.img.(type) {
		case *image.RGBA:
			pix, stride = img.Pix, img.Stride
		case *image.NRGBA:
			pix, stride = img.Pix, img.Stride
		}
		if pix != nil {
			o := 0
			for y := 0; y < window.Height; y++ {
				row := pix[(window.Y+y)*stride+window.X*4:]
				for x := 0; x < window.Width; x++ {
					dst[o], dst[o+1], dst[o+2] = row[4*x], row[4*x+1], row[4*x+2]
					o += 3
				}
			}
			return nil
		}
	}
	if gray, ok := s.img.(*image.Gray); ok && s.format == (PixelFormat{8, 1}) {
		for y := 0; y < window.Height; y++ {
			start := (window.Y+y)*gray.Stride + window.X
			copy(dst[y*window.Width:], gray.Pix[start:start+window.Width])
		}
		return nil
	}
	o := 0
	for y := 0; y < window.Height; y++ {
		for x := 0; x < window.Width; x++ {
			c := s.img.At(min.X+window.X+x, min.Y+window.Y+y)
			if s.format.Channels == 1 {
				g := color.Gray16Model.Convert(c).(color.Gray16).Y
				o = putSample(dst, o, g, s.format.BitDepth)
				continue
			}
			n := color.NRGBA64Model.Convert(c).(color.NRGBA64)
			o = putSample(dst, o, n.R, s.format.BitDepth)
			o = putSample(dst, o, n.G, s.format.BitDepth)
			o = putSample(dst, o, n.B, s.format.BitDepth)
		}
	}
	return nil
}

func putSample(dst []byte, o int, v uint16, bitDepth int) int {
	if bitDepth == 8 {
		dst[o] = uint8(v >> 8)
		return o + 1
	}
	binary.LittleEndian.PutUint16(dst[o:], v)
	return o + 2
}

// RawSource streams raw pixels held in memory (the PixelFormat layout, rows packed).
type RawSource struct {
	pixels        []byte
	width, height int
	format        PixelFormat
}

// NewRawSource wraps pixels of a width × height image in format.
func NewRawSource(pixels []byte, width, height int, format PixelFormat) (*RawSource, error) {
	if len(pixels) != width*height*format.BytesPerPixel() {
		return nil, fmt.Errorf("restoregrpc: %d bytes for a %dx%d image of %d bytes per pixel", len(pixels), width, height, format.BytesPerPixel())
	}
	return &RawSource{pixels, width, height, format}, nil
}

func (s *RawSource) Width() int          { return s.width }
func (s *RawSource) Height() int         { return s.height }
func (s *RawSource) Format() PixelFormat { return s.format }

func (s *RawSource) ReadWindow(window Rect, dst []byte) error {
	bpp := s.format.BytesPerPixel()
	rowBytes := window.Width * bpp
	for y := 0; y < window.Height; y++ {
		start := ((window.Y+y)*s.width + window.X) * bpp
		copy(dst[y*rowBytes:(y+1)*rowBytes], s.pixels[start:start+rowBytes])
	}
	return nil
}

// ImageSink assembles the output in memory as an image.Image: *image.NRGBA (8-bit RGB), *image.NRGBA64
// (16-bit RGB), *image.Gray or *image.Gray16. For outputs too large for memory, use RawFileSink.
type ImageSink struct {
	Image  image.Image
	format PixelFormat
}

func (s *ImageSink) Start(width, height int, format PixelFormat) error {
	r := image.Rect(0, 0, width, height)
	switch format {
	case PixelFormat{8, 3}:
		s.Image = image.NewNRGBA(r)
	case PixelFormat{16, 3}:
		s.Image = image.NewNRGBA64(r)
	case PixelFormat{8, 1}:
		s.Image = image.NewGray(r)
	case PixelFormat{16, 1}:
		s.Image = image.NewGray16(r)
	default:
		return fmt.Errorf("restoregrpc: unsupported pixel format %+v", format)
	}
	s.format = format
	return nil
}

func (s *ImageSink) Write(rect Rect, pixels []byte) error {
	o := 0
	for y := rect.Y; y < rect.Y+rect.Height; y++ {
		switch img := s.Image.(type) {
		case *image.NRGBA:
			row := img.Pix[y*img.Stride+rect.X*4:]
			for x := 0; x < rect.Width; x++ {
				row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = pixels[o], pixels[o+1], pixels[o+2], 0xff
				o += 3
			}
		case *image.Gray:
			o += copy(img.Pix[y*img.Stride+rect.X:], pixels[o:o+rect.Width])
		case *image.NRGBA64:
			row := img.Pix[y*img.Stride+rect.X*8:]
			for x := 0; x < rect.Width; x++ {
				for c := 0; c < 3; c++ {
					v := binary.LittleEndian.Uint16(pixels[o:])
					row[8*x+2*c], row[8*x+2*c+1] = uint8(v>>8), uint8(v)
					o += 2
				}
				row[8*x+6], row[8*x+7] = 0xff, 0xff
			}
		case *image.Gray16:
			row := img.Pix[y*img.Stride+rect.X*2:]
			for x := 0; x < rect.Width; x++ {
				v := binary.LittleEndian.Uint16(pixels[o:])
				row[2*x], row[2*x+1] = uint8(v>>8), uint8(v)
				o += 2
			}
		}
	}
	return nil
}

func (s *ImageSink) Complete() error { return nil }

// RawFileSink writes the output as raw pixels (the PixelFormat layout, rows packed, no header) at their offsets
// in w (an *os.File, say): the client holds one tile at a time, whatever the output size.
type RawFileSink struct {
	W             io.WriterAt
	width         int
	bytesPerPixel int
}

func (s *RawFileSink) Start(width, height int, format PixelFormat) error {
	s.width, s.bytesPerPixel = width, format.BytesPerPixel()
	return nil
}

func (s *RawFileSink) Write(rect Rect, pixels []byte) error {
	rowBytes := rect.Width * s.bytesPerPixel
	for y := 0; y < rect.Height; y++ {
		offset := int64((rect.Y+y)*s.width+rect.X) * int64(s.bytesPerPixel)
		if _, err := s.W.WriteAt(pixels[y*rowBytes:(y+1)*rowBytes], offset); err != nil {
			return err
		}
	}
	return nil
}

func (s *RawFileSink) Complete() error { return nil }
