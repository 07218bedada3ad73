import Foundation

/// The two timestamp forms of the Kubernetes API: `Time` (RFC 3339 to the second, as in an
/// Event's `lastTimestamp`) and `MicroTime` (exactly six fractional digits, as in a Lease's
/// `renewTime`; kube-apiserver rejects any other number of digits there).
public enum KubernetesTime {
    private static let seconds = Date.ISO8601FormatStyle(timeZone: .gmt)

    /// `2026-11-26T20:33:29Z`.
    public static func time(_ date: Date) -> String {
        date.formatted(seconds)
    }

    /// Now, as ``time(_:)`` writes it. A format style value, not an `ISO8601DateFormatter`:
    /// building one of those per call set up an ICU formatter each time, a few percent of a
    /// reconcile's CPU.
    public static var now: String { time(Date()) }

    /// `2026-11-26T20:33:29.123456Z`.
    public static func microTime(_ date: Date) -> String {
        let whole = date.timeIntervalSince1970.rounded(.down)
        let micros = min(999_999, Int(((date.timeIntervalSince1970 - whole) * 1_000_000).rounded(.down)))
        let text = Date(timeIntervalSince1970: whole).formatted(seconds)
        let digits = String(micros)
        // "…:29Z" becomes "…:29.123456Z".
        return text.dropLast() + "." + String(repeating: "0", count: 6 - digits.count) + digits + "Z"
    }

    /// Reads either form, with any number of fractional digits; `nil` when it is neither.
    public static func parse(_ text: String) -> Date? {
        guard let dot = text.firstIndex(of: ".") else { return try? seconds.parse(text) }
        let digits = text[text.index(after: dot)...].prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let fraction = Double("0." + digits),
            let base = try? seconds.parse(String(text[..<dot]) + String(text[digits.endIndex...]))
        else { return nil }
        return base.addingTimeInterval(fraction)
    }
}
