import OrderedCollections
import APIMachinery
import Resources

/// Checks shared by the built-in kinds, worded as apimachinery's validation package words them.
/// Each returns the causes found under the field path it is given; none means valid.
enum FieldRules {
    /// `Duplicate value: "x"`.
    static func duplicate(_ field: String, value: JSONValue) -> APIError.Cause {
        APIError.Cause(type: "FieldValueDuplicate", message: "Duplicate value: \(FieldErrors.display(value))", field: field)
    }

    /// `Not found: "x"`.
    static func notFound(_ field: String, value: JSONValue) -> APIError.Cause {
        APIError.Cause(type: "FieldValueNotFound", message: "Not found: \(FieldErrors.display(value))", field: field)
    }

    /// `Invalid value: <value>: field is immutable` when `new` differs from `old`.
    static func immutable(_ field: String, new: JSONValue?, old: JSONValue?) -> [APIError.Cause] {
        guard (new ?? .null) != (old ?? .null) else { return [] }
        return [FieldErrors.invalid(field, value: new ?? .null, "field is immutable")]
    }

    /// A number that must not be negative.
    static func nonNegative(_ field: String, _ value: JSONValue?) -> [APIError.Cause] {
        guard let value, let number = value.intValue, number < 0 else { return [] }
        return [FieldErrors.invalid(field, value: value, "must be greater than or equal to 0")]
    }

    /// A port number, 1–65535.
    static func portNumber(_ field: String, _ value: JSONValue) -> [APIError.Cause] {
        guard let number = value.intValue, (1...65_535).contains(number) else {
            return [FieldErrors.invalid(field, value: value, "must be between 1 and 65535, inclusive")]
        }
        return []
    }

    /// An IANA service name, as container ports and named target ports use.
    static func portNameProblems(_ name: String) -> [String] {
        var problems: [String] = []
        let bytes = Array(name.utf8)
        if bytes.count > 15 { problems.append("must be no more than 15 characters") }
        let isLowerOrDigit = { (c: UInt8) in (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) }
        if bytes.isEmpty || !bytes.allSatisfy({ isLowerOrDigit($0) || $0 == UInt8(ascii: "-") }) {
            problems.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
        }
        if !bytes.contains(where: { $0 >= 0x61 && $0 <= 0x7A }) { problems.append("must contain at least one letter (a-z)") }
        if name.contains("--") { problems.append("must not contain consecutive hyphens") }
        if bytes.first == UInt8(ascii: "-") || bytes.last == UInt8(ascii: "-") {
            problems.append("must not begin or end with a hyphen")
        }
        return problems
    }

    /// A port given by number (1–65535) or by IANA name (`targetPort`, probes' `port`).
    static func portNumberOrName(_ field: String, _ value: JSONValue) -> [APIError.Cause] {
        if let name = value.stringValue {
            if name.isEmpty { return [FieldErrors.required(field)] }
            return portNameProblems(name).map { FieldErrors.invalid(field, value: value, $0) }
        }
        return portNumber(field, value)
    }

    /// A key of a ConfigMap's or Secret's data.
    static func configKeyProblems(_ key: String) -> [String] {
        var problems: [String] = []
        if key.utf8.count > 253 { problems.append("must be no more than 253 characters") }
        let valid = !key.isEmpty && key.utf8.allSatisfy { c in
            (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39)
                || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
        }
        if !valid {
            problems.append(
                "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name', or 'KEY_NAME', or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")
        }
        if key == "." {
            problems.append("must not be '.'")
        } else if key == ".." {
            problems.append("must not be '..'")
        } else if key.hasPrefix("..") {
            problems.append("must not start with '..'")
        }
        return problems
    }

    /// An RFC 1123 label (`Invalid value: "x": a lowercase RFC 1123 label must …`).
    static func dns1123Label(_ field: String, _ value: String) -> [APIError.Cause] {
        NameRules.dns1123Label(value).map { FieldErrors.invalid(field, value: .string(value), $0) }
    }

    /// An RFC 1123 subdomain.
    static func dns1123Subdomain(_ field: String, _ value: String) -> [APIError.Cause] {
        NameRules.dns1123Subdomain(value).map { FieldErrors.invalid(field, value: .string(value), $0) }
    }

    /// A string-valued enumeration: required when `required`, one of `supported` when set.
    static func oneOf(_ field: String, _ value: JSONValue?, _ supported: [String], required: Bool = true)
        -> [APIError.Cause]
    {
        let text = value?.stringValue ?? ""
        if text.isEmpty {
            return required && (value == nil || value?.isNull == true || value == "") ? [FieldErrors.required(field)] : []
        }
        return supported.contains(text) ? [] : [FieldErrors.notSupported(field, value: .string(text), supported: supported)]
    }

    /// Causes for a label selector (`matchLabels` keys and values, `matchExpressions` operators and
    /// values) under `field`.
    static func labelSelector(_ field: String, _ selector: JSONValue) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        for (key, value) in selector["matchLabels"]?.objectValue ?? [:] {
            for problem in NameRules.qualifiedName(key) {
                causes.append(FieldErrors.invalid("\(field).matchLabels", value: .string(key), problem))
            }
            for problem in NameRules.labelValue(value.stringValue ?? "") {
                causes.append(FieldErrors.invalid("\(field).matchLabels", value: value, problem))
            }
        }
        for (index, expression) in (selector["matchExpressions"]?.arrayValue ?? []).enumerated() {
            let path = "\(field).matchExpressions[\(index)]"
            let key = expression["key"]?.stringValue ?? ""
            for problem in NameRules.qualifiedName(key) {
                causes.append(FieldErrors.invalid("\(path).key", value: .string(key), problem))
            }
            let values = expression["values"]?.arrayValue ?? []
            switch expression["operator"]?.stringValue ?? "" {
            case "In", "NotIn":
                if values.isEmpty {
                    causes.append(FieldErrors.required("\(path).values", "must be specified when `operator` is 'In' or 'NotIn'"))
                }
            case "Exists", "DoesNotExist":
                if !values.isEmpty {
                    causes.append(FieldErrors.forbidden("\(path).values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
                }
            case let other:
                causes.append(FieldErrors.invalid("\(path).operator", value: .string(other), "not a valid selector operator"))
            }
        }
        return causes
    }
}
