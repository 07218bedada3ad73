import Foundation

/// A CronJob's `spec.schedule`, parsed as kube-apiserver parses it (the standard five-field cron
/// syntax with month and weekday names, `*`, `?`, ranges, steps and lists, and the descriptors
/// `@yearly`/`@annually`, `@monthly`, `@weekly`, `@daily`/`@midnight`, `@hourly` and `@every
/// <duration>`), with the same error messages.
///
/// ```swift
/// try CronSchedule("*/5 * * * *").minutes.contains(10)   // true
/// try CronSchedule("* * * *")   // throws: expected exactly 5 fields, found 4: [* * * *]
/// ```
public struct CronSchedule: Sendable, Hashable {
    /// Why a schedule does not parse, worded as kube-apiserver words it.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// The minutes (0–59), hours (0–23), days of the month (1–31), months (1–12) and weekdays
    /// (0–6, Sunday first) the schedule fires at; `nil` for `@every`.
    public var minutes: Set<Int> = []
    public var hours: Set<Int> = []
    public var daysOfMonth: Set<Int> = []
    public var months: Set<Int> = []
    public var daysOfWeek: Set<Int> = []
    /// Whether the day-of-month or day-of-week field was `*` (cron then looks at the other only).
    public var anyDayOfMonth = false
    public var anyDayOfWeek = false
    /// The interval of `@every <duration>`, in seconds.
    public var every: Double?
    /// The time zone of a `TZ=`/`CRON_TZ=` prefix.
    public var timeZone: String?

    private struct Bounds {
        var min: Int
        var max: Int
        var names: [String: Int] = [:]
    }

    private static let fieldBounds: [Bounds] = [
        Bounds(min: 0, max: 59), Bounds(min: 0, max: 23), Bounds(min: 1, max: 31),
        Bounds(min: 1, max: 12, names: ["jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7,
                                        "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12]),
        Bounds(min: 0, max: 6, names: ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6]),
    ]

    /// Parses `text`; throws a ``ParseError`` with kube's message when it is not a schedule.
    public init(_ text: String) throws(ParseError) {
        guard !text.isEmpty else { throw ParseError(description: "empty spec string") }
        var spec = Substring(text)
        if spec.hasPrefix("TZ=") || spec.hasPrefix("CRON_TZ="), let space = spec.firstIndex(of: " "),
            let equals = spec.firstIndex(of: "=")
        {
            let zone = String(spec[spec.index(after: equals)..<space])
            guard CronSchedule.isKnownTimeZone(zone) else {
                throw ParseError(description: "provided bad location \(zone): unknown time zone \(zone)")
            }
            timeZone = zone
            spec = spec[space...].drop { $0 == " " }
        }
        if spec.hasPrefix("@") {
            try parseDescriptor(String(spec))
            return
        }
        let fields = spec.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(description: "expected exactly 5 fields, found \(fields.count): [\(fields.joined(separator: " "))]")
        }
        var sets: [Set<Int>] = []
        for (field, bounds) in zip(fields, Self.fieldBounds) {
            sets.append(try Self.parseField(field, bounds))
        }
        (minutes, hours, daysOfMonth, months, daysOfWeek) = (sets[0], sets[1], sets[2], sets[3], sets[4])
        anyDayOfMonth = fields[2].hasPrefix("*") || fields[2].hasPrefix("?")
        anyDayOfWeek = fields[4].hasPrefix("*") || fields[4].hasPrefix("?")
    }

    private mutating func parseDescriptor(_ descriptor: String) throws(ParseError) {
        func set(_ minute: Int, _ hour: Int, _ day: Int?, _ month: Int?, _ weekday: Int?) {
            minutes = [minute]
            hours = hour < 0 ? Set(0...23) : [hour]
            daysOfMonth = day.map { [$0] } ?? Set(1...31)
            months = month.map { [$0] } ?? Set(1...12)
            daysOfWeek = weekday.map { [$0] } ?? Set(0...6)
            anyDayOfMonth = day == nil
            anyDayOfWeek = weekday == nil
        }
        switch descriptor {
        case "@yearly", "@annually": set(0, 0, 1, 1, nil)
        case "@monthly": set(0, 0, 1, nil, nil)
        case "@weekly": set(0, 0, nil, nil, 0)
        case "@daily", "@midnight": set(0, 0, nil, nil, nil)
        case "@hourly": set(0, -1, nil, nil, nil)
        default:
            let prefix = "@every "
            guard descriptor.hasPrefix(prefix) else {
                throw ParseError(description: "unrecognized descriptor: \(descriptor)")
            }
            let text = String(descriptor.dropFirst(prefix.count))
            guard let seconds = Self.goDuration(text) else {
                throw ParseError(description: "failed to parse duration \(descriptor): time: invalid duration \(FieldErrorsQuote.quote(text))")
            }
            every = seconds
        }
    }

    /// A comma-separated list of ranges.
    private static func parseField(_ field: String, _ bounds: Bounds) throws(ParseError) -> Set<Int> {
        var values: Set<Int> = []
        for expression in field.split(separator: ",").map(String.init) {
            values.formUnion(try parseRange(expression, bounds))
        }
        return values
    }

    /// `*`, `?`, `n`, `n-m`, each optionally followed by `/step`.
    private static func parseRange(_ expression: String, _ bounds: Bounds) throws(ParseError) -> Set<Int> {
        let rangeAndStep = expression.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let lowAndHigh = rangeAndStep[0].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        var start: Int, end: Int, step = 1
        if lowAndHigh[0] == "*" || lowAndHigh[0] == "?" {
            (start, end) = (bounds.min, bounds.max)
        } else {
            start = try intOrName(lowAndHigh[0], bounds)
            switch lowAndHigh.count {
            case 1: end = start
            case 2: end = try intOrName(lowAndHigh[1], bounds)
            default: throw ParseError(description: "too many hyphens: \(expression)")
            }
        }
        switch rangeAndStep.count {
        case 1: break
        case 2:
            step = try integer(rangeAndStep[1])
            if lowAndHigh.count == 1 { end = bounds.max }
        default: throw ParseError(description: "too many slashes: \(expression)")
        }
        if start < bounds.min {
            throw ParseError(description: "beginning of range (\(start)) below minimum (\(bounds.min)): \(expression)")
        }
        if end > bounds.max {
            throw ParseError(description: "end of range (\(end)) above maximum (\(bounds.max)): \(expression)")
        }
        if start > end {
            throw ParseError(description: "beginning of range (\(start)) beyond end of range (\(end)): \(expression)")
        }
        if step == 0 { throw ParseError(description: "step of range should be a positive number: \(expression)") }
        return Set(stride(from: start, through: end, by: step))
    }

    private static func intOrName(_ text: String, _ bounds: Bounds) throws(ParseError) -> Int {
        if let named = bounds.names[text.lowercased()] { return named }
        return try integer(text)
    }

    /// Go's `strconv.Atoi`, with its error wording, and no negative numbers.
    private static func integer(_ text: String) throws(ParseError) -> Int {
        let digits = text.hasPrefix("+") || text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw ParseError(description: "failed to parse int from \(text): strconv.Atoi: parsing \(FieldErrorsQuote.quote(text)): invalid syntax")
        }
        guard let value = Int(text) else {
            throw ParseError(description: "failed to parse int from \(text): strconv.Atoi: parsing \(FieldErrorsQuote.quote(text)): value out of range")
        }
        if value < 0 { throw ParseError(description: "negative number (\(value)) not allowed: \(text)") }
        return value
    }

    /// Seconds of a Go duration such as `1h30m`, `90s` or `1.5h`; `nil` when malformed.
    static func goDuration(_ text: String) -> Double? {
        let units: [String: Double] = ["ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600]
        var rest = Substring(text)
        var negative = false
        if rest.first == "-" || rest.first == "+" {
            negative = rest.first == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return 0 }
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { !($0.isNumber || $0 == ".") }
            guard let scale = units[String(unit)] else { return nil }
            rest = rest.dropFirst(unit.count)
            total += value * scale
        }
        return negative ? -total : total
    }

    /// Whether `identifier` names a time zone of the IANA database (as Go's `time.LoadLocation`
    /// finds them), `UTC` included.
    public static func isKnownTimeZone(_ identifier: String) -> Bool {
        if identifier == "UTC" || identifier.isEmpty { return true }
        return TimeZone(identifier: identifier) != nil
    }
}

/// Go's `%q` quoting of a short text (what kube's messages show).
enum FieldErrorsQuote {
    static func quote(_ text: String) -> String {
        var out = "\""
        for character in text.unicodeScalars {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(character)
            }
        }
        return out + "\""
    }
}
