//! A document as pages of drawing operations, laid out top to bottom on A4, then written as one
//! PDF. Laying out first means the footer of every page can say "Page 2 of 3", and a table that
//! runs over a page break repeats its header.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::{Document, SerializeSettings};

use super::DocumentError;
use super::text::Fonts;

pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
pub const MARGIN: f32 = 50.0;
/// Where content stops: room is kept for the footer.
const BOTTOM: f32 = PAGE_H - 60.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    pub size: f32,
    pub bold: bool,
    /// 0 = black, 255 = white.
    pub gray: u8,
}

pub const BODY: Style = Style {
    size: 9.0,
    bold: false,
    gray: 0,
};
pub const BOLD: Style = Style {
    size: 9.0,
    bold: true,
    gray: 0,
};
pub const SMALL: Style = Style {
    size: 7.5,
    bold: false,
    gray: 90,
};

enum Op {
    Text {
        x: f32,
        y: f32,
        style: Style,
        text: String,
    },
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
        width: f32,
    },
    Shade {
        rect: (f32, f32, f32, f32),
        gray: u8,
    },
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

/// The pages of one document while it is laid out.
pub struct Layout<'f> {
    pub fonts: &'f Fonts,
    pages: Vec<Vec<Op>>,
    /// Where the next line goes on the current page (from the top).
    pub y: f32,
    /// The footer's left part on every page (e.g. "Invoice INV-2027-000001").
    footer: String,
    logo: Option<(Vec<u8>, bool)>,
}

impl<'f> Layout<'f> {
    pub fn new(fonts: &'f Fonts, footer: String) -> Self {
        Self {
            fonts,
            pages: vec![Vec::new()],
            y: MARGIN,
            footer,
            logo: None,
        }
    }

    fn page(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    pub fn width(&self, text: &str, style: Style) -> f32 {
        self.fonts.face(style.bold).width(text, style.size)
    }

    /// `text` with its baseline at `y`, starting at `x`.
    pub fn text(&mut self, x: f32, y: f32, style: Style, text: &str) {
        if text.is_empty() {
            return;
        }
        self.page().push(Op::Text {
            x,
            y,
            style,
            text: text.to_owned(),
        });
    }

    /// `text` ending at `right`.
    pub fn text_right(&mut self, right: f32, y: f32, style: Style, text: &str) {
        let w = self.width(text, style);
        self.text(right - w, y, style, text);
    }

    pub fn rule(&mut self, x1: f32, x2: f32, y: f32, width: f32) {
        self.page().push(Op::Rule { x1, x2, y, width });
    }

    pub fn shade(&mut self, x: f32, y: f32, w: f32, h: f32, gray: u8) {
        self.page().push(Op::Shade {
            rect: (x, y, w, h),
            gray,
        });
    }

    /// The logo (PNG or JPEG bytes) at `x, y`, scaled into `max_w` x `max_h`; returns the height
    /// it takes, or 0 when it cannot be read.
    pub fn logo(&mut self, data: &[u8], x: f32, y: f32, max_w: f32, max_h: f32) -> f32 {
        let png = data.starts_with(b"\x89PNG");
        let Some((w, h)) = image_size(data, png) else {
            return 0.0;
        };
        let scale = (max_w / w).min(max_h / h).min(1.0);
        let (w, h) = (w * scale, h * scale);
        self.logo = Some((data.to_vec(), png));
        self.page().push(Op::Image { x, y, w, h });
        h
    }

    /// Starts a new page.
    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    /// Whether `height` more points fit on this page.
    pub fn fits(&self, height: f32) -> bool {
        self.y + height <= BOTTOM
    }

    /// Writes the PDF. Nothing in it depends on when or where it is made: the same layout
    /// gives the same bytes.
    pub fn finish(self) -> Result<Vec<u8>, DocumentError> {
        let image = match &self.logo {
            Some((data, png)) => {
                let data: krilla::Data = data.clone().into();
                let img = if *png {
                    krilla::image::Image::from_png(data, true)
                } else {
                    krilla::image::Image::from_jpeg(data, true)
                };
                img.ok()
            }
            None => None,
        };
        let mut doc = Document::new_with(SerializeSettings::default());
        let total = self.pages.len();
        for (n, ops) in self.pages.iter().enumerate() {
            let settings =
                PageSettings::from_wh(PAGE_W, PAGE_H).ok_or(DocumentError("page size".into()))?;
            let mut page = doc.start_page_with(settings);
            let mut surface = page.surface();
            for op in ops {
                match op {
                    Op::Text { x, y, style, text } => {
                        draw_text(&mut surface, self.fonts, *x, *y, *style, text)
                    }
                    Op::Rule { x1, x2, y, width } => {
                        let mut pb = PathBuilder::new();
                        pb.move_to(*x1, *y);
                        pb.line_to(*x2, *y);
                        if let Some(path) = pb.finish() {
                            surface.set_fill(None);
                            surface.set_stroke(Some(Stroke {
                                paint: rgb::Color::new(120, 120, 120).into(),
                                width: *width,
                                ..Stroke::default()
                            }));
                            surface.draw_path(&path);
                            surface.set_stroke(None);
                        }
                    }
                    Op::Shade { rect, gray } => {
                        let mut pb = PathBuilder::new();
                        if let Some(r) = Rect::from_xywh(rect.0, rect.1, rect.2, rect.3) {
                            pb.push_rect(r);
                        }
                        if let Some(path) = pb.finish() {
                            surface.set_stroke(None);
                            surface.set_fill(Some(Fill {
                                paint: rgb::Color::new(*gray, *gray, *gray).into(),
                                ..Fill::default()
                            }));
                            surface.draw_path(&path);
                        }
                    }
                    Op::Image { x, y, w, h } => {
                        if let (Some(img), Some(size)) = (&image, Size::from_wh(*w, *h)) {
                            surface.push_transform(&Transform::from_translate(*x, *y));
                            surface.draw_image(img.clone(), size);
                            surface.pop();
                        }
                    }
                }
            }
            let footer_y = PAGE_H - 30.0;
            draw_text(
                &mut surface,
                self.fonts,
                MARGIN,
                footer_y,
                SMALL,
                &self.footer,
            );
            let pages = format!("Page {} of {total}", n + 1);
            let w = self.fonts.face(false).width(&pages, SMALL.size);
            draw_text(
                &mut surface,
                self.fonts,
                PAGE_W - MARGIN - w,
                footer_y,
                SMALL,
                &pages,
            );
            surface.finish();
            page.finish();
        }
        doc.finish()
            .map_err(|e| DocumentError(format!("the PDF could not be written: {e:?}")))
    }
}

fn draw_text(
    surface: &mut krilla::surface::Surface<'_>,
    fonts: &Fonts,
    x: f32,
    y: f32,
    style: Style,
    text: &str,
) {
    let face = fonts.face(style.bold);
    let glyphs = face.shape(text);
    surface.set_stroke(None);
    surface.set_fill(Some(Fill {
        paint: rgb::Color::new(style.gray, style.gray, style.gray).into(),
        ..Fill::default()
    }));
    surface.draw_glyphs(
        Point::from_xy(x, y),
        &glyphs,
        face.font.clone(),
        text,
        style.size,
        false,
    );
}

/// Width and height in pixels of a PNG (IHDR) or JPEG (first SOFn marker).
fn image_size(data: &[u8], png: bool) -> Option<(f32, f32)> {
    let be16 = |i: usize| Some(u16::from_be_bytes([*data.get(i)?, *data.get(i + 1)?]));
    if png {
        let be32 = |i: usize| Some(u32::from_be_bytes(data.get(i..i + 4)?.try_into().ok()?) as f32);
        return Some((be32(16)?, be32(20)?)).filter(|(w, h)| *w > 0.0 && *h > 0.0);
    }
    if !data.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut i = 2;
    while i + 9 < data.len() {
        if data[i] != 0xFF {
            return None;
        }
        let marker = data[i + 1];
        let len = usize::from(be16(i + 2)?);
        if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
            let h = f32::from(be16(i + 5)?);
            let w = f32::from(be16(i + 7)?);
            return Some((w, h)).filter(|(w, h)| *w > 0.0 && *h > 0.0);
        }
        i += 2 + len;
    }
    None
}
