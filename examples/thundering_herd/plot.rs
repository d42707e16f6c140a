//! The chart of `--plot`: for each way, the requests in flight at the service over time, as the
//! service sampled them, with its capacity as a dashed line and the 429s it answered (per 10 ms)
//! as a second, red line. One panel per way, stacked, on one time axis, so that the herd's burst
//! of 429s, the batches' saw-tooth and the flat line at the capacity sit one above the other;
//! each panel has its own height scale, so that a flat line at the capacity is as plain as a
//! burst a hundred times higher.

use std::path::Path;

use plotters::element::DashedPathElement;
use plotters::prelude::*;

use crate::herd::Sample;

/// One way's samples, under its name in the table.
pub struct Series<'a> {
    pub name: &'a str,
    pub samples: &'a [Sample],
    /// What else the panel's caption says of the way (calls turned away by its gate).
    pub note: Option<String>,
}

impl Series<'_> {
    /// The most requests in flight in any sample.
    pub fn peak(&self) -> usize {
        self.samples
            .iter()
            .map(|sample| sample.in_flight)
            .max()
            .unwrap_or(0)
    }

    /// Every 429 the samples counted.
    pub fn throttled(&self) -> usize {
        self.samples.iter().map(|sample| sample.throttled).sum()
    }
}

/// The most points a panel's line has: longer runs (the outage's) are drawn from buckets of
/// samples, each with the most requests in flight and every 429 of its samples, so that the file
/// stays small and no peak is lost.
const MOST_POINTS: usize = 1500;

/// `samples` in at most [`MOST_POINTS`] buckets of `end_ms / MOST_POINTS` each.
fn bucketed(samples: &[Sample], end_ms: f64) -> Vec<Sample> {
    if samples.len() <= MOST_POINTS {
        return samples.to_vec();
    }
    let width = end_ms / MOST_POINTS as f64;
    let mut buckets: Vec<Sample> = Vec::with_capacity(MOST_POINTS + 1);
    for sample in samples {
        let bucket = (sample.at.as_secs_f64() * 1000.0 / width) as usize;
        match buckets.last_mut() {
            Some(last) if (last.at.as_secs_f64() * 1000.0 / width) as usize == bucket => {
                last.in_flight = last.in_flight.max(sample.in_flight);
                last.throttled += sample.throttled;
                last.at = sample.at;
            }
            _ => buckets.push(*sample),
        }
    }
    buckets
}

/// The 429s are counted in windows of this many milliseconds.
const THROTTLED_PER_MS: f64 = 10.0;

/// The 429s of `samples` in windows of [`THROTTLED_PER_MS`], at each window's middle.
fn throttled_per_window(samples: &[Sample], end_ms: f64) -> Vec<(f64, f64)> {
    let windows = (end_ms / THROTTLED_PER_MS).ceil() as usize + 1;
    let mut counts = vec![0usize; windows];
    for sample in samples {
        let window = (sample.at.as_secs_f64() * 1000.0 / THROTTLED_PER_MS) as usize;
        counts[window.min(windows - 1)] += sample.throttled;
    }
    counts
        .iter()
        .enumerate()
        .map(|(window, &count)| ((window as f64 + 0.5) * THROTTLED_PER_MS, count as f64))
        .collect()
}

const WIDTH: u32 = 960;
/// The width of each panel's legend, right of its chart.
const LEGEND_WIDTH: u32 = 190;
const TITLE_HEIGHT: u32 = 40;
const PANEL_HEIGHT: u32 = 165;
const IN_FLIGHT: RGBColor = RGBColor(31, 119, 180);
const THROTTLED: RGBColor = RGBColor(214, 39, 40);

/// Draws the chart of `series` as an SVG file at `path`, titled `title`, for a service that
/// serves `capacity` requests at once.
pub fn draw(path: &Path, title: &str, capacity: usize, series: &[Series]) -> Result<(), String> {
    let failed = |error: &dyn std::fmt::Display| format!("cannot draw {}: {error}", path.display());
    let height = TITLE_HEIGHT + PANEL_HEIGHT * series.len() as u32;
    let root = SVGBackend::new(path, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE).map_err(|error| failed(&error))?;
    let root = root
        .titled(title, ("sans-serif", 17))
        .map_err(|error| failed(&error))?;
    // One time axis for every panel: the longest way's.
    let end_ms = series
        .iter()
        .filter_map(|series| series.samples.last())
        .map(|sample| sample.at.as_secs_f64() * 1000.0)
        .fold(1.0, f64::max);
    for (panel, series) in root.split_evenly((series.len(), 1)).iter().zip(series) {
        let samples = bucketed(series.samples, end_ms);
        let drawn = Series {
            name: series.name,
            samples: &samples,
            note: series.note.clone(),
        };
        panel_of(panel, &drawn, capacity, end_ms).map_err(|error| failed(&error))?;
    }
    root.present().map_err(|error| failed(&error))
}

/// One way's panel: its chart, and its legend at the right.
fn panel_of(
    panel: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    series: &Series,
    capacity: usize,
    end_ms: f64,
) -> Result<(), DrawingAreaErrorKind<<SVGBackend<'static> as DrawingBackend>::ErrorType>> {
    let (chart_area, legend_area) = panel.split_horizontally(WIDTH - LEGEND_WIDTH);
    let peak = series.peak();
    let throttled = series.throttled();
    let per_window = throttled_per_window(series.samples, end_ms);
    let most_per_window = per_window
        .iter()
        .map(|(_, count)| *count)
        .fold(0.0, f64::max);
    let top = (peak.max(capacity) as f64).max(most_per_window) * 1.15;
    let mut caption = format!(
        "{}: at most {peak} in flight, {throttled} 429s",
        series.name
    );
    if let Some(note) = &series.note {
        caption.push_str(", ");
        caption.push_str(note);
    }
    let mut chart = ChartBuilder::on(&chart_area)
        .caption(caption, ("sans-serif", 14))
        .margin_left(10)
        .margin_right(10)
        .margin_top(4)
        .x_label_area_size(30)
        .y_label_area_size(44)
        .build_cartesian_2d(0.0..end_ms, 0.0..top.ceil())?;
    chart
        .configure_mesh()
        .x_desc("ms since the way started")
        .x_labels(12)
        .y_labels(4)
        .x_label_formatter(&|ms| format!("{ms:.0}"))
        .y_label_formatter(&|count| format!("{count:.0}"))
        .light_line_style(WHITE)
        .draw()?;
    chart.draw_series(DashedLineSeries::new(
        [(0.0, capacity as f64), (end_ms, capacity as f64)],
        6,
        4,
        BLACK.stroke_width(1),
    ))?;
    if throttled > 0 {
        chart.draw_series(LineSeries::new(per_window, THROTTLED.stroke_width(1)))?;
    }
    chart.draw_series(LineSeries::new(
        series
            .samples
            .iter()
            .map(|sample| (sample.at.as_secs_f64() * 1000.0, sample.in_flight as f64)),
        IN_FLIGHT.stroke_width(2),
    ))?;

    // The legend: the way's name for its line, as in the table.
    let font = ("sans-serif", 13).into_font();
    let entries: [(String, ShapeStyle, bool); 3] = [
        (series.name.to_owned(), IN_FLIGHT.stroke_width(2), false),
        (
            format!("429s per {THROTTLED_PER_MS:.0} ms"),
            THROTTLED.stroke_width(1),
            false,
        ),
        (
            format!("capacity ({capacity})"),
            BLACK.stroke_width(1),
            true,
        ),
    ];
    for (row, (label, style, dashed)) in entries.into_iter().enumerate() {
        let y = 40 + 20 * row as i32;
        if dashed {
            legend_area.draw(&DashedPathElement::new([(4, y), (26, y)], 4, 3, style))?;
        } else {
            legend_area.draw(&PathElement::new([(4, y), (26, y)], style))?;
        }
        legend_area.draw(&Text::new(label, (32, y - 7), font.clone()))?;
    }
    Ok(())
}
