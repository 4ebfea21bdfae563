//! The geometry of the dashboard's charts, which are hand-written inline SVG:
//! linear scales, "nice" axis ticks, bar rectangles and polyline points. Plain
//! functions of numbers, tested natively; the components only place the results
//! in `view!`, so no chart library ships in the wasm.
//!
//! Coordinates are SVG user units in a chart's `viewBox`, y growing downwards.

/// A chart's `viewBox` and the margins around its plot area (room for axis labels).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub width: f64,
    pub height: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
    pub left: f64,
}

impl Frame {
    /// The `viewBox` attribute.
    pub fn view_box(&self) -> String {
        format!("0 0 {} {}", num(self.width), num(self.height))
    }

    /// Left edge of the plot area.
    pub fn x0(&self) -> f64 {
        self.left
    }

    /// Right edge of the plot area (never left of `x0`).
    pub fn x1(&self) -> f64 {
        (self.width - self.right).max(self.left)
    }

    /// Top edge of the plot area.
    pub fn y0(&self) -> f64 {
        self.top
    }

    /// Bottom edge of the plot area (never above `y0`).
    pub fn y1(&self) -> f64 {
        (self.height - self.bottom).max(self.top)
    }

    pub fn plot_width(&self) -> f64 {
        self.x1() - self.x0()
    }

    /// Values on the y axis from `ticks.lo` at the bottom to `ticks.hi` at the top.
    pub fn y_scale(&self, ticks: &Ticks) -> Linear {
        Linear::new((ticks.lo, ticks.hi), (self.y1(), self.y0()))
    }
}

/// Maps the domain `d0..d1` onto the range `r0..r1` linearly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Linear {
    pub d0: f64,
    pub d1: f64,
    pub r0: f64,
    pub r1: f64,
}

impl Linear {
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Linear {
        Linear {
            d0: domain.0,
            d1: domain.1,
            r0: range.0,
            r1: range.1,
        }
    }

    /// Where `v` lands. A domain of zero width puts everything in the middle of the
    /// range, and a value that is not a number lands at `r0`, so no NaN ever
    /// reaches an SVG attribute.
    pub fn map(&self, v: f64) -> f64 {
        let span = self.d1 - self.d0;
        if !v.is_finite() {
            return self.r0;
        }
        if span == 0.0 || !span.is_finite() {
            return (self.r0 + self.r1) / 2.0;
        }
        self.r0 + (v - self.d0) / span * (self.r1 - self.r0)
    }
}

/// An axis: its domain widened to round numbers and the ticks on it, `lo` to `hi`.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticks {
    pub lo: f64,
    pub hi: f64,
    pub step: f64,
    pub values: Vec<f64>,
}

/// Most ticks an axis is given, whatever is asked (keeps a bad input cheap).
const MAX_TICKS: usize = 20;

/// The round number (1, 2 or 5 times a power of ten) nearest to `x` (> 0).
fn nice_step(x: f64) -> f64 {
    let exp = x.log10().floor();
    let base = 10f64.powf(exp);
    let f = x / base;
    let nice = if f < 1.5 {
        1.0
    } else if f < 3.0 {
        2.0
    } else if f < 7.0 {
        5.0
    } else {
        10.0
    };
    nice * base
}

/// About `target` ticks at round steps (1, 2 or 5 × 10ⁿ, never below `min_step`)
/// covering `lo..=hi`. The axis starts and ends on a tick, so bars never poke out
/// of it. An empty or inverted span is widened to one step; values that are not
/// numbers count as 0.
pub fn nice_ticks(lo: f64, hi: f64, target: usize, min_step: f64) -> Ticks {
    let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
    let (mut lo, mut hi) = (finite(lo), finite(hi));
    if lo > hi {
        std::mem::swap(&mut lo, &mut hi);
    }
    let min_step = if min_step.is_finite() && min_step > 0.0 {
        min_step
    } else {
        0.0
    };
    let target = target.clamp(2, MAX_TICKS);
    if hi - lo <= 0.0 {
        // One value: an axis from it to one "unit" above (or to 0 when it is not 0).
        let unit = if lo == 0.0 {
            min_step.max(1.0)
        } else {
            lo.abs()
        };
        if lo > 0.0 {
            lo = 0.0;
        } else if lo < 0.0 {
            hi = 0.0;
        } else {
            hi = unit;
        }
    }
    let mut step = nice_step((hi - lo) / (target - 1) as f64).max(min_step);
    // Huge spans (beyond f64 precision) would give zero-width steps.
    if !step.is_finite() || step <= 0.0 {
        step = (hi - lo).max(1.0);
    }
    // The epsilon keeps 1.0 / 0.2 = 5.000000000000001 from adding a tick.
    let span = |step: f64| {
        let first = (lo / step + 1e-9).floor();
        let count = ((hi / step - 1e-9).ceil() - first).max(1.0) as usize;
        (first, count)
    };
    let (mut first, mut count) = span(step);
    while count > MAX_TICKS {
        step *= 2.0;
        (first, count) = span(step);
    }
    // Multiples of a step like 0.2 pick up float noise (0.6000000000000001):
    // round each tick to the step's decimals.
    let decimals = (-step.log10().floor()).clamp(0.0, 15.0) as i32;
    let scale = 10f64.powi(decimals);
    let values: Vec<f64> = (0..=count)
        .map(|i| {
            let v = ((first + i as f64) * step * scale).round() / scale;
            if v == 0.0 { 0.0 } else { v }
        })
        .collect();
    Ticks {
        lo: values[0],
        hi: values[values.len() - 1],
        step,
        values,
    }
}

/// A value axis for bars: always holds 0, and every value.
pub fn value_ticks(values: &[f64], target: usize, min_step: f64) -> Ticks {
    let finite = values.iter().copied().filter(|v| v.is_finite());
    let lo = finite.clone().fold(0.0, f64::min);
    let hi = finite.fold(0.0, f64::max);
    nice_ticks(lo, hi, target, min_step)
}

/// A rectangle in user units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// The horizontal centre of band `i` of `n` equal bands across the plot area.
pub fn band_center(frame: &Frame, i: usize, n: usize) -> f64 {
    let band = frame.plot_width() / n.max(1) as f64;
    frame.x0() + band * (i as f64 + 0.5)
}

/// Vertical bars, one per value in equal bands across the plot area; each runs
/// from the zero line to its value (downwards for a negative value). `gap` is the
/// share (0..1) of each band left empty between bars.
pub fn columns(values: &[f64], frame: &Frame, y: &Linear, gap: f64) -> Vec<Rect> {
    let n = values.len().max(1) as f64;
    let band = frame.plot_width() / n;
    let gap = if gap.is_finite() {
        gap.clamp(0.0, 0.95)
    } else {
        0.0
    };
    let w = band * (1.0 - gap);
    let clamp = |v: f64| v.clamp(frame.y0(), frame.y1());
    let zero = clamp(y.map(0.0));
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let top = clamp(y.map(v));
            Rect {
                x: frame.x0() + band * i as f64 + (band - w) / 2.0,
                y: top.min(zero),
                w,
                h: (top - zero).abs(),
            }
        })
        .collect()
}

/// Lengths (0..=1) of horizontal bars, the largest value filling the row. Values
/// at or below zero (refunds) get no bar; a positive value too small to see gets
/// a sliver, so "small" never reads as "none".
pub fn bar_fractions(values: &[f64]) -> Vec<f64> {
    const SLIVER: f64 = 0.01;
    let max = values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    values
        .iter()
        .map(|&v| {
            if !(v.is_finite() && v > 0.0 && max > 0.0) {
                0.0
            } else {
                (v / max).clamp(SLIVER, 1.0)
            }
        })
        .collect()
}

/// `part / whole` as a share in 0..=1; 0 when the whole is not positive.
pub fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 && whole.is_finite() && part.is_finite() {
        (part / whole).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// The `points` attribute of a polyline through `xy`, mapped by `x` and `y`.
pub fn points(xy: &[(f64, f64)], x: &Linear, y: &Linear) -> String {
    xy.iter()
        .map(|&(a, b)| format!("{},{}", num(x.map(a)), num(y.map(b))))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `d` attribute of the area under a polyline through `xy`, closed along the
/// horizontal line at `base` (user units). Empty with no points.
pub fn area(xy: &[(f64, f64)], x: &Linear, y: &Linear, base: f64) -> String {
    let (Some(first), Some(last)) = (xy.first(), xy.last()) else {
        return String::new();
    };
    let mut d = format!("M{},{}", num(x.map(first.0)), num(base));
    for &(a, b) in xy {
        d.push_str(&format!(" L{},{}", num(x.map(a)), num(y.map(b))));
    }
    d.push_str(&format!(" L{},{} Z", num(x.map(last.0)), num(base)));
    d
}

/// Label every `k`-th of `n` bands so that labels `label_width` wide do not
/// overlap in `room` units.
pub fn label_every(n: usize, room: f64, label_width: f64) -> usize {
    // NaN is not above 0, so it counts as no room.
    let positive = |v: f64| v > 0.0;
    if n == 0 || !positive(room) || !positive(label_width) {
        return 1;
    }
    let fits = (room / label_width).floor().max(1.0) as usize;
    n.div_ceil(fits).max(1)
}

/// A coordinate for an SVG attribute: one decimal at most, no `-0`, never NaN.
pub fn num(v: f64) -> String {
    if !v.is_finite() {
        return "0".into();
    }
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 {
        return "0".into();
    }
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> Frame {
        Frame {
            width: 400.0,
            height: 200.0,
            top: 10.0,
            right: 10.0,
            bottom: 30.0,
            left: 60.0,
        }
    }

    #[test]
    fn frame_edges() {
        let f = frame();
        assert_eq!((f.x0(), f.x1(), f.y0(), f.y1()), (60.0, 390.0, 10.0, 170.0));
        assert_eq!(f.plot_width(), 330.0);
        assert_eq!(f.view_box(), "0 0 400 200");
        let tiny = Frame {
            width: 10.0,
            height: 10.0,
            ..f
        };
        assert_eq!(
            tiny.plot_width(),
            0.0,
            "margins wider than the box give no plot, not a negative one"
        );
        assert_eq!(tiny.y1(), tiny.y0());
    }

    #[test]
    fn linear_maps_and_never_gives_nan() {
        let s = Linear::new((0.0, 100.0), (170.0, 10.0));
        assert_eq!(s.map(0.0), 170.0);
        assert_eq!(s.map(100.0), 10.0);
        assert_eq!(s.map(50.0), 90.0);
        assert_eq!(s.map(f64::NAN), 170.0);
        let flat = Linear::new((5.0, 5.0), (0.0, 10.0));
        assert_eq!(flat.map(5.0), 5.0);
    }

    #[test]
    fn ticks_are_round_and_cover_the_data() {
        let t = nice_ticks(0.0, 1_234_567.0, 5, 0.0);
        assert_eq!(t.step, 500_000.0);
        assert_eq!(t.values, vec![0.0, 500_000.0, 1_000_000.0, 1_500_000.0]);
        assert_eq!((t.lo, t.hi), (0.0, 1_500_000.0));

        let t = nice_ticks(0.0, 1.0, 6, 0.0);
        assert_eq!(
            t.values,
            vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
            "no float noise"
        );

        let t = nice_ticks(-350.0, 900.0, 5, 0.0);
        assert_eq!(t.step, 500.0);
        assert_eq!(t.values, vec![-500.0, 0.0, 500.0, 1000.0]);
    }

    #[test]
    fn ticks_respect_the_minimum_step() {
        // Three cents on a money axis: ticks at whole euros, not fractions of a cent.
        let t = nice_ticks(0.0, 3.0, 5, 100.0);
        assert_eq!(t.values, vec![0.0, 100.0]);
    }

    #[test]
    fn ticks_of_degenerate_input() {
        assert_eq!(
            nice_ticks(0.0, 0.0, 5, 0.0).values,
            vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
        );
        assert_eq!(nice_ticks(0.0, 0.0, 5, 100.0).values, vec![0.0, 100.0]);
        let one = nice_ticks(700.0, 700.0, 5, 0.0);
        assert_eq!((one.lo, one.hi), (0.0, 800.0));
        let neg = nice_ticks(-700.0, -700.0, 5, 0.0);
        assert_eq!((neg.lo, neg.hi), (-800.0, 0.0));
        let swapped = nice_ticks(10.0, 0.0, 3, 0.0);
        assert_eq!((swapped.lo, swapped.hi), (0.0, 10.0));
        let nan = nice_ticks(f64::NAN, f64::INFINITY, 5, 0.0);
        assert!(nan.values.iter().all(|v| v.is_finite()));
        let huge = nice_ticks(0.0, 9.2e18, 200, 0.0);
        assert!(huge.values.len() <= MAX_TICKS + 1);
        assert!(huge.hi >= 9.2e18);
    }

    #[test]
    fn value_ticks_hold_zero() {
        let t = value_ticks(&[300.0, 800.0, 450.0], 5, 0.0);
        assert_eq!(t.lo, 0.0);
        assert!(t.hi >= 800.0);
        let t = value_ticks(&[-200.0, 100.0], 5, 0.0);
        assert!(t.lo <= -200.0 && t.hi >= 100.0);
        assert!(t.values.contains(&0.0));
    }

    #[test]
    fn columns_stand_on_the_zero_line() {
        let f = frame();
        let t = value_ticks(&[100.0, -50.0, 0.0, 200.0], 5, 0.0);
        let y = f.y_scale(&t);
        let bars = columns(&[100.0, -50.0, 0.0, 200.0], &f, &y, 0.2);
        assert_eq!(bars.len(), 4);
        let zero = y.map(0.0);
        // Bands of 330 / 4 = 82.5, bars 66 wide, centred.
        assert!((bars[0].x - (60.0 + 8.25)).abs() < 1e-9);
        assert!((bars[0].w - 66.0).abs() < 1e-9);
        assert!(
            (bars[0].y + bars[0].h - zero).abs() < 1e-9,
            "positive bar ends on zero"
        );
        assert!(
            (bars[1].y - zero).abs() < 1e-9,
            "negative bar starts on zero and goes down"
        );
        assert!(bars[1].h > 0.0);
        assert_eq!(bars[2].h, 0.0);
        assert!((bars[3].y - y.map(200.0)).abs() < 1e-9);
        for b in &bars {
            assert!(
                b.y >= f.y0() && b.y + b.h <= f.y1() + 1e-9,
                "inside the plot: {b:?}"
            );
        }
        assert!((band_center(&f, 0, 4) - (60.0 + 41.25)).abs() < 1e-9);
    }

    #[test]
    fn bar_fractions_scale_to_the_largest() {
        assert_eq!(
            bar_fractions(&[50.0, 100.0, 0.0, -20.0]),
            vec![0.5, 1.0, 0.0, 0.0]
        );
        assert_eq!(
            bar_fractions(&[1.0, 1_000_000.0])[0],
            0.01,
            "tiny but visible"
        );
        assert_eq!(bar_fractions(&[0.0, -1.0]), vec![0.0, 0.0]);
        assert_eq!(bar_fractions(&[f64::NAN, 2.0]), vec![0.0, 1.0]);
        assert!(bar_fractions(&[]).is_empty());
    }

    #[test]
    fn shares_stay_in_range() {
        assert_eq!(share(28.0, 35.0), 0.8);
        assert_eq!(share(-5.0, 100.0), 0.0);
        assert_eq!(share(150.0, 100.0), 1.0);
        assert_eq!(share(5.0, 0.0), 0.0);
        assert_eq!(share(f64::NAN, 10.0), 0.0);
    }

    #[test]
    fn polyline_and_area() {
        let x = Linear::new((0.0, 1.0), (0.0, 100.0));
        let y = Linear::new((0.0, 1.0), (50.0, 0.0));
        let pts = [(0.0, 0.0), (0.25, 0.8), (1.0, 1.0)];
        assert_eq!(points(&pts, &x, &y), "0,50 25,10 100,0");
        assert_eq!(
            area(&pts, &x, &y, 50.0),
            "M0,50 L0,50 L25,10 L100,0 L100,50 Z"
        );
        assert_eq!(area(&[], &x, &y, 50.0), "");
    }

    #[test]
    fn labels_thin_out_when_crowded() {
        assert_eq!(label_every(12, 400.0, 30.0), 1);
        assert_eq!(label_every(24, 400.0, 30.0), 2);
        assert_eq!(label_every(100, 300.0, 40.0), 15);
        assert_eq!(label_every(0, 300.0, 40.0), 1);
        assert_eq!(label_every(5, 0.0, 40.0), 1);
    }

    #[test]
    fn numbers_for_attributes() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.34), "12.3");
        assert_eq!(num(-0.01), "0");
        assert_eq!(num(f64::NAN), "0");
        assert_eq!(num(-3.25), "-3.3");
    }
}
