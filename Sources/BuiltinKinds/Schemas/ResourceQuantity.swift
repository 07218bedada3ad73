/// `resource.Quantity` as kube-apiserver reads and writes it: `ParseQuantity`'s checks, and the
/// canonical form Go writes back (`0.5` → `500m`, `1000` → `1k`, `1.5Gi` → `1536Mi`), so a
/// stored quantity reads as it would from a real cluster.
enum ResourceQuantity {
    static let formatError =
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    static let suffixError = "unable to parse quantity's suffix"

    /// A quantity split as Go's `parseQuantityString` splits it.
    struct Parsed {
        var positive: Bool
        var whole: Substring
        var fraction: Substring
        /// 10 or 2.
        var base: Int
        var exponent: Int
        var format: Format
    }

    enum Format { case decimalSI, binarySI, decimalExponent }

    /// What is wrong with a quantity string, or `nil` when it parses.
    static func problem(_ text: String) -> String? {
        switch parse(text) {
        case .success: nil
        case .failure(let message): message.text
        }
    }

    struct Message: Error { var text: String }

    static func parse(_ text: String) -> Result<Parsed, Message> {
        var rest = Substring(text)
        var positive = true
        if rest.first == "+" || rest.first == "-" {
            positive = rest.first == "+"
            rest = rest.dropFirst()
        }
        let whole = rest.prefix { $0.isASCII && $0.isNumber }
        rest = rest.dropFirst(whole.count)
        var fraction: Substring = ""
        if rest.first == "." {
            rest = rest.dropFirst()
            fraction = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(fraction.count)
        }
        guard !(whole.isEmpty && fraction.isEmpty) else { return .failure(Message(text: formatError)) }
        let allowed = Set("eEinumkKMGTP")
        let letters = rest.prefix { allowed.contains($0) }
        var exponentPart = rest.dropFirst(letters.count)
        if exponentPart.first == "+" || exponentPart.first == "-" { exponentPart = exponentPart.dropFirst() }
        guard exponentPart.allSatisfy({ $0.isASCII && $0.isNumber }) else { return .failure(Message(text: formatError)) }
        let suffix = String(rest)
        let decimal: [String: Int] = ["n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18]
        let binary: [String: Int] = ["Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60]
        if let exponent = decimal[suffix] {
            return .success(Parsed(positive: positive, whole: whole, fraction: fraction, base: 10, exponent: exponent, format: .decimalSI))
        }
        if let exponent = binary[suffix] {
            return .success(Parsed(positive: positive, whole: whole, fraction: fraction, base: 2, exponent: exponent, format: .binarySI))
        }
        if let first = suffix.first, first == "e" || first == "E", let exponent = Int(suffix.dropFirst()),
           suffix.count > 1, abs(exponent) < 1000 {
            return .success(Parsed(positive: positive, whole: whole, fraction: fraction, base: 10, exponent: exponent, format: .decimalExponent))
        }
        return .failure(Message(text: suffixError))
    }

    /// The string Go writes for the quantity `text`, or `nil` when it is beyond the exact
    /// 64-bit arithmetic used here (then it is kept as given).
    static func canonical(_ text: String) -> String? {
        guard case .success(let parsed) = parse(text) else { return nil }
        let digits = String(parsed.whole) + String(parsed.fraction)
        guard digits.count <= 18, var mantissa = Int64(digits) else { return nil }
        var scale = -parsed.fraction.count
        if parsed.base == 2 {
            // Go keeps `1Mi` as written; `1024Ki` it rewrites.
            if parsed.fraction.isEmpty, mantissa & 0x07 != 0 { return text }
            // Exact as an integer times 10^scale: multiply by 2^exponent.
            for _ in 0..<parsed.exponent {
                let (doubled, overflow) = mantissa.multipliedReportingOverflow(by: 2)
                guard !overflow else { return nil }
                mantissa = doubled
            }
        } else {
            scale += parsed.exponent
            // Go keeps a string that is already canonical as it was written.
            if scale % 3 == 0, !digits.hasSuffix("000"), digits.first != "0", scale >= -9 { return text }
        }
        // Finer than nano rounds up to nano, as Go does.
        while scale < -9 {
            let (rest, remainder) = mantissa.quotientAndRemainder(dividingBy: 10)
            mantissa = rest + (remainder != 0 ? 1 : 0)
            scale += 1
        }
        if mantissa == 0 { return "0" }
        let sign = parsed.positive ? "" : "-"
        if parsed.format == .binarySI, scale >= 0 || isMultiple(mantissa, ofPowerOfTen: -scale),
           case let value = scale < 0 ? mantissa / powerOfTen(-scale) : mantissa, value >= 1024 {
            var value = value
            var power = 0
            while value % 1024 == 0, power < 6 {
                value /= 1024
                power += 1
            }
            let suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
            return sign + "\(value)" + suffixes[power]
        }
        // Decimal: strip factors of ten, then make the exponent a multiple of three.
        while mantissa % 10 == 0 {
            mantissa /= 10
            scale += 1
        }
        var remainder = ((scale % 3) + 3) % 3
        while remainder != 0 {
            let (next, overflow) = mantissa.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            mantissa = next
            scale -= 1
            remainder -= 1
        }
        let suffix: String
        if parsed.format == .decimalExponent {
            suffix = scale == 0 ? "" : "e\(scale)"
        } else {
            let names = [-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E"]
            suffix = names[scale] ?? "e\(scale)"
        }
        return sign + "\(mantissa)" + suffix
    }

    private static func isMultiple(_ value: Int64, ofPowerOfTen power: Int) -> Bool {
        value % powerOfTen(power) == 0
    }

    private static func powerOfTen(_ power: Int) -> Int64 {
        var result: Int64 = 1
        for _ in 0..<min(power, 18) { result *= 10 }
        return result
    }
}
