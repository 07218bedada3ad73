/// The text forms of Kubernetes' time types, as Go writes and reads them: `metav1.Time`
/// (RFC 3339 in UTC, whole seconds), `metav1.MicroTime` (six decimals) and `metav1.Duration`
/// (Go's `time.Duration` string, `1h2m3.5s`).
///
/// Pure arithmetic, no calendar objects: the codec calls these for every timestamp of every
/// object it reads or writes.
enum ProtobufTimeFormats {
    /// `2006-01-02T15:04:05Z`, or with `.000000` microseconds.
    static func rfc3339(seconds: Int64, nanos: Int32 = 0, microseconds: Bool = false) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        var text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
        text += pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if microseconds { text += "." + pad(Int64(max(0, nanos)) / 1000, 6) }
        return text + "Z"
    }

    /// Seconds and nanoseconds since the Unix epoch of an RFC 3339 timestamp
    /// (`2026-01-02T03:04:05Z`, `…05.123456Z`, `…05+02:00`); nil when it is not one.
    static func parseRFC3339(_ text: String) -> (seconds: Int64, nanos: Int32)? {
        let b = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int64? {
            guard start + count <= b.count else { return nil }
            var value: Int64 = 0
            for byte in b[start..<(start + count)] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
            b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var nanos: Int64 = 0
        if index < b.count, b[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < b.count, b[index] >= 48, b[index] <= 57 {
                if digits < 9 { nanos = nanos * 10 + Int64(b[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 9) { nanos *= 10 }
        }
        guard index < b.count else { return nil }
        var offset: Int64 = 0
        if b[index] == UInt8(ascii: "Z") || b[index] == UInt8(ascii: "z") {
            index += 1
        } else if b[index] == UInt8(ascii: "+") || b[index] == UInt8(ascii: "-") {
            guard let hours = number(index + 1, 2), index + 3 < b.count, b[index + 3] == UInt8(ascii: ":"),
                let minutes = number(index + 4, 2)
            else { return nil }
            offset = (hours * 3600 + minutes * 60) * (b[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == b.count else { return nil }
        let seconds = days(fromCivil: year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return (seconds, Int32(nanos))
    }

    /// Go's `time.Duration.String()` of a number of nanoseconds: `0s`, `1.5s`, `2m0s`, `1h0m0s`,
    /// `150ms`, `3µs`.
    static func goDuration(_ nanoseconds: Int64) -> String {
        if nanoseconds == 0 { return "0s" }
        let negative = nanoseconds < 0
        let u = nanoseconds.magnitude
        var text: String
        if u < 1_000_000_000 {
            if u < 1000 {
                text = "\(u)ns"
            } else if u < 1_000_000 {
                text = fraction(u, digits: 3) + "µs"
            } else {
                text = fraction(u, digits: 6) + "ms"
            }
        } else {
            let seconds = u / 1_000_000_000
            let secondsText = fraction(u % 60_000_000_000, digits: 9) + "s"
            let minutes = seconds / 60 % 60
            let hours = seconds / 3600
            if hours > 0 {
                text = "\(hours)h\(minutes)m" + secondsText
            } else if seconds >= 60 {
                text = "\(seconds / 60)m" + secondsText
            } else {
                text = secondsText
            }
        }
        return negative ? "-" + text : text
    }

    /// Nanoseconds of a Go duration string (`1h30m`, `1.5s`, `300ms`, `-2m`); nil when it is not one.
    static func parseGoDuration(_ text: String) -> Int64? {
        var scalars = Array(text.unicodeScalars)
        var negative = false
        if let first = scalars.first, first == "-" || first == "+" {
            negative = first == "-"
            scalars.removeFirst()
        }
        if scalars == ["0"] { return 0 }
        guard !scalars.isEmpty else { return nil }
        var total = 0.0
        var index = 0
        while index < scalars.count {
            var numberText = ""
            while index < scalars.count, scalars[index] == "." || ("0"..."9").contains(scalars[index]) {
                numberText.unicodeScalars.append(scalars[index])
                index += 1
            }
            var unit = ""
            while index < scalars.count, scalars[index] != "." && !("0"..."9").contains(scalars[index]) {
                unit.unicodeScalars.append(scalars[index])
                index += 1
            }
            guard let value = Double(numberText) else { return nil }
            let scale: Double
            switch unit {
            case "ns": scale = 1
            case "us", "µs", "μs": scale = 1e3
            case "ms": scale = 1e6
            case "s": scale = 1e9
            case "m": scale = 60e9
            case "h": scale = 3600e9
            default: return nil
            }
            total += value * scale
        }
        guard total < 9.2e18 else { return nil }
        let nanos = Int64(total.rounded())
        return negative ? -nanos : nanos
    }

    private static func fraction(_ value: UInt64, digits: Int) -> String {
        var divisor: UInt64 = 1
        for _ in 0..<digits { divisor *= 10 }
        let whole = value / divisor
        var rest = value % divisor
        guard rest > 0 else { return "\(whole)" }
        var width = digits
        while rest % 10 == 0 {
            rest /= 10
            width -= 1
        }
        let restText = String(rest)
        return "\(whole)." + String(repeating: "0", count: width - restText.count) + restText
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
