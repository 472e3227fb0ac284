package io.synod.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A small, self-contained SVG line/scatter chart: axes with round-number ticks, one coloured
 * polyline and dots per series, a legend, optional labels next to points, and a {@code <title>}
 * tooltip on every dot. No scripts, no external resources; opens in any browser.
 *
 * <p>Not thread-safe: build, then {@link #render()}.
 */
public final class SvgChart {
    private static final int WIDTH = 860;
    private static final int HEIGHT = 520;
    private static final int LEFT = 80;
    private static final int RIGHT = 200;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final int TICKS = 5;
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();

    /** One point; {@code label} (may be null) is drawn next to it. */
    public record Point(double x, double y, String label) {}

    /** A named list of points, joined by a line when {@code line} is true. */
    public record Series(String name, List<Point> points, boolean line) {
        public Series {
            Objects.requireNonNull(name, "name");
            points = List.copyOf(points);
        }
    }

    public SvgChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    public SvgChart add(Series one) {
        series.add(one);
        return this;
    }

    /** The whole SVG document. */
    public String render() {
        double xMax = niceMax(series.stream()
                .flatMap(s -> s.points().stream())
                .mapToDouble(Point::x)
                .max()
                .orElse(1));
        double yMax = niceMax(series.stream()
                .flatMap(s -> s.points().stream())
                .mapToDouble(Point::y)
                .max()
                .orElse(1));
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(
                Locale.ROOT,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                        + " font-family=\"sans-serif\" font-size=\"12\">\n",
                WIDTH,
                HEIGHT,
                WIDTH,
                HEIGHT));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(svg, WIDTH / 2.0, 25, "middle", "font-size=\"16\" font-weight=\"bold\"", title);
        axes(svg, xMax, yMax);
        for (int i = 0; i < series.size(); i++) {
            plot(svg, series.get(i), COLOURS[i % COLOURS.length], xMax, yMax);
            legend(svg, series.get(i), COLOURS[i % COLOURS.length], i);
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private void axes(StringBuilder svg, double xMax, double yMax) {
        double plotRight = WIDTH - RIGHT;
        double plotBottom = HEIGHT - BOTTOM;
        svg.append(String.format(
                Locale.ROOT,
                "<g stroke=\"#444\" stroke-width=\"1\"><line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                        + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.1f\"/></g>\n",
                LEFT,
                plotBottom,
                plotRight,
                plotBottom,
                LEFT,
                TOP,
                LEFT,
                plotBottom));
        for (int i = 0; i <= TICKS; i++) {
            double xValue = xMax * i / TICKS;
            double yValue = yMax * i / TICKS;
            double x = xPixel(xValue, xMax);
            double y = yPixel(yValue, yMax);
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
                    x,
                    (double) TOP,
                    x,
                    plotBottom,
                    LEFT,
                    y,
                    plotRight,
                    y));
            text(svg, x, plotBottom + 18, "middle", "", number(xValue));
            text(svg, LEFT - 6, y + 4, "end", "", number(yValue));
        }
        text(svg, (LEFT + plotRight) / 2, HEIGHT - 18, "middle", "", xLabel);
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"18\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 18 %.1f)\">%s</text>\n",
                (TOP + plotBottom) / 2,
                (TOP + plotBottom) / 2,
                escape(yLabel)));
    }

    private void plot(StringBuilder svg, Series one, String colour, double xMax, double yMax) {
        if (one.line() && one.points().size() > 1) {
            StringBuilder points = new StringBuilder();
            for (Point point : one.points()) {
                points.append(
                        String.format(Locale.ROOT, "%.1f,%.1f ", xPixel(point.x(), xMax), yPixel(point.y(), yMax)));
            }
            svg.append(String.format(
                    Locale.ROOT,
                    "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>\n",
                    colour,
                    points.toString().trim()));
        }
        for (Point point : one.points()) {
            double x = xPixel(point.x(), xMax);
            double y = yPixel(point.y(), yMax);
            svg.append(String.format(
                    Locale.ROOT,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>%s: x=%s, y=%s%s</title></circle>\n",
                    x,
                    y,
                    colour,
                    escape(one.name()),
                    number(point.x()),
                    number(point.y()),
                    point.label() == null ? "" : " (" + escape(point.label()) + ")"));
            if (point.label() != null) {
                text(svg, x + 6, y - 6, "start", "font-size=\"10\" fill=\"" + colour + "\"", point.label());
            }
        }
    }

    private static void legend(StringBuilder svg, Series one, String colour, int index) {
        double x = WIDTH - RIGHT + 20;
        double y = TOP + 10 + index * 20;
        svg.append(String.format(
                Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"4\" fill=\"%s\"/>\n",
                x,
                y - 4,
                colour));
        text(svg, x + 20, y + 2, "start", "", one.name());
    }

    private static void text(StringBuilder svg, double x, double y, String anchor, String extra, String content) {
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>%s</text>\n",
                x,
                y,
                anchor,
                extra,
                escape(content)));
    }

    private static double xPixel(double value, double max) {
        return LEFT + value / max * (WIDTH - RIGHT - LEFT);
    }

    private static double yPixel(double value, double max) {
        return HEIGHT - BOTTOM - value / max * (HEIGHT - BOTTOM - TOP);
    }

    /** The smallest 1, 2, 2.5 or 5 times a power of ten at or above {@code value} (1 for nothing). */
    static double niceMax(double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * power >= value) {
                return step * power;
            }
        }
        return 10 * power;
    }

    private static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        if (!Double.isFinite(value)) {
            return String.valueOf(value);
        }
        return new java.math.BigDecimal(value)
                .round(new java.math.MathContext(4))
                .stripTrailingZeros()
                .toPlainString();
    }

    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> out.append(c < 0x20 && c != '\t' && c != '\n' ? ' ' : c);
            }
        }
        return out.toString();
    }
}
