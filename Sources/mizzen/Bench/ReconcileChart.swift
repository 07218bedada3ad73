import Foundation

/// The chart `mizzen bench reconcile` writes: applications converged over time above, the
/// process's RSS over time below, on one time axis, with the run's phases marked — as an SVG
/// file written by hand, so that a run can be put beside the last one and compared by eye.
///
/// A pure function of the samples: the same run gives the same file.
struct ReconcileChart: Sendable {
    /// One look at the run.
    struct Sample: Sendable, Equatable {
        /// Since the benchmark started its clock.
        var seconds: Double
        /// Applications converged so far.
        var converged: Int
        /// Resident memory of the process, in MiB.
        var rssMiB: Int
    }

    /// A moment of the run worth a line across the chart ("created", "converged", "resync").
    struct Marker: Sendable, Equatable {
        var seconds: Double
        var label: String
    }

    var title: String
    /// Lines under the title: what ran and what it measured.
    var notes: [String]
    /// The top of the upper panel.
    var apps: Int
    var samples: [Sample]
    var markers: [Marker] = []

    static let width = 880.0
    static let left = 70.0
    static let right = 30.0
    static let plotWidth = width - left - right

    /// The chart as an SVG document.
    func svg() -> String {
        let top = 40.0 + Double(notes.count) * 16 + 16
        let convergedPanel = Panel(top: top, height: 240)
        let memoryPanel = Panel(top: convergedPanel.bottom + 60, height: 150)
        let height = memoryPanel.bottom + 50
        let lastSecond = max(samples.last?.seconds ?? 0, markers.map(\.seconds).max() ?? 0, 1)
        let timeAxis = Self.axis(upTo: lastSecond)
        let appAxis = Self.axis(upTo: Double(max(apps, 1)))
        let memoryAxis = Self.axis(upTo: Double(max(samples.map(\.rssMiB).max() ?? 0, 1)))
        func x(_ seconds: Double) -> Double { Self.left + seconds / timeAxis.top * Self.plotWidth }

        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.number(Self.width))" height="\(Self.number(height))" \
            viewBox="0 0 \(Self.number(Self.width)) \(Self.number(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="#ffffff"/>
            <text x="\(Self.number(Self.left))" y="26" font-size="16" font-weight="bold">\(Self.escaped(title))</text>

            """
        for (index, note) in notes.enumerated() {
            out += "<text x=\"\(Self.number(Self.left))\" y=\"\(Self.number(46 + Double(index) * 16))\" fill=\"#444444\">\(Self.escaped(note))</text>\n"
        }
        for (panel, axis, label) in [
            (convergedPanel, appAxis, "applications converged"), (memoryPanel, memoryAxis, "RSS (MiB)"),
        ] {
            out += panel.frame(label: label, valueAxis: axis, timeAxis: timeAxis, x: x)
        }
        // Labels step down so that markers close together stay readable.
        for (index, marker) in markers.enumerated() {
            let position = Self.number(x(marker.seconds))
            out += """
                <line x1="\(position)" y1="\(Self.number(convergedPanel.top))" x2="\(position)" y2="\(Self.number(memoryPanel.bottom))" \
                stroke="#999999" stroke-dasharray="4 3"/>
                <text x="\(Self.number(x(marker.seconds) + 3))" y="\(Self.number(convergedPanel.top + 12 + Double(index % 4) * 13))" fill="#666666" font-size="11">\
                \(Self.escaped(marker.label))</text>

                """
        }
        out += Self.polyline(
            samples.map { (x($0.seconds), convergedPanel.y(Double($0.converged), of: appAxis)) }, colour: "#1f6fb2")
        out += Self.polyline(
            samples.map { (x($0.seconds), memoryPanel.y(Double($0.rssMiB), of: memoryAxis)) }, colour: "#c0392b")
        out += "<text x=\"\(Self.number(Self.left + Self.plotWidth / 2))\" y=\"\(Self.number(memoryPanel.bottom + 40))\" text-anchor=\"middle\">seconds since the start</text>\n"
        out += "</svg>\n"
        return out
    }

    /// A value axis from 0: its top and the step between ticks, both round numbers.
    struct Axis: Equatable {
        var top: Double
        var step: Double
    }

    /// The smallest axis of 1, 2 or 5 times a power of ten (at least 1) per step, at most ten steps, that holds `value`.
    static func axis(upTo value: Double) -> Axis {
        let value = max(value, 1)
        // Whole steps: applications and MiB come in units.
        var magnitude = max(1, pow(10, floor(log10(value / 5))))
        while true {
            for factor in [1.0, 2, 5] {
                let step = factor * magnitude
                let steps = (value / step).rounded(.up)
                if steps <= 10 { return Axis(top: max(steps, 1) * step, step: step) }
            }
            magnitude *= 10
        }
    }

    /// A panel's vertical extent, in the SVG's coordinates.
    struct Panel {
        var top: Double
        var height: Double
        var bottom: Double { top + height }

        func y(_ value: Double, of axis: Axis) -> Double { bottom - value / axis.top * height }

        /// The frame, grid lines and tick labels of the panel.
        func frame(label: String, valueAxis: Axis, timeAxis: Axis, x: (Double) -> Double) -> String {
            var out = "<text x=\"\(number(left))\" y=\"\(number(top - 8))\" font-weight=\"bold\">\(escaped(label))</text>\n"
            var value = 0.0
            while value <= valueAxis.top + valueAxis.step / 2 {
                let position = number(y(value, of: valueAxis))
                out += "<line x1=\"\(number(left))\" y1=\"\(position)\" x2=\"\(number(left + plotWidth))\" y2=\"\(position)\" stroke=\"#e5e5e5\"/>\n"
                out += "<text x=\"\(number(left - 6))\" y=\"\(number(y(value, of: valueAxis) + 4))\" text-anchor=\"end\">\(tick(value))</text>\n"
                value += valueAxis.step
            }
            var second = 0.0
            while second <= timeAxis.top + timeAxis.step / 2 {
                let position = number(x(second))
                out += "<line x1=\"\(position)\" y1=\"\(number(top))\" x2=\"\(position)\" y2=\"\(number(bottom))\" stroke=\"#f0f0f0\"/>\n"
                out += "<text x=\"\(position)\" y=\"\(number(bottom + 15))\" text-anchor=\"middle\">\(tick(second))</text>\n"
                second += timeAxis.step
            }
            out += "<rect x=\"\(number(left))\" y=\"\(number(top))\" width=\"\(number(plotWidth))\" height=\"\(number(height))\" fill=\"none\" stroke=\"#333333\"/>\n"
            return out
        }
    }

    static func polyline(_ points: [(Double, Double)], colour: String) -> String {
        guard !points.isEmpty else { return "" }
        let list = points.map { "\(number($0.0)),\(number($0.1))" }.joined(separator: " ")
        return "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(list)\"/>\n"
    }

    /// A coordinate with at most one decimal.
    static func number(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// A tick label: `1,000` rather than `1000.0`, decimals only when the step has them.
    static func tick(_ value: Double) -> String {
        if value != value.rounded() { return String((value * 100).rounded() / 100) }
        let digits = String(Int(value))
        var out = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return String(out.reversed())
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
