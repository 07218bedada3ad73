public import Resources

/// Builders for the `metav1.StatusCause`s kube-apiserver returns, with its exact wording
/// (`k8s.io/apimachinery/pkg/util/validation/field`): the message is `<Type>: <value>: <detail>`
/// and the field is the dotted path.
///
/// ```swift
/// FieldErrors.required("spec.name")   // "Required value", FieldValueRequired
/// FieldErrors.notSupported("spec.mode", value: "x", supported: ["a", "b"])
/// // Unsupported value: "x": supported values: "a", "b"
/// ```
public enum FieldErrors {
    public static func required(_ field: String, _ detail: String = "") -> APIError.Cause {
        APIError.Cause(type: "FieldValueRequired", message: withDetail("Required value", detail), field: field)
    }

    public static func invalid(_ field: String, value: JSONValue, _ detail: String) -> APIError.Cause {
        APIError.Cause(
            type: "FieldValueInvalid", message: withDetail("Invalid value: \(display(value))", detail), field: field)
    }

    public static func typeInvalid(_ field: String, value: JSONValue, _ detail: String) -> APIError.Cause {
        APIError.Cause(
            type: "FieldValueTypeInvalid", message: withDetail("Invalid value: \(display(value))", detail), field: field)
    }

    public static func notSupported(_ field: String, value: JSONValue, supported: [String]) -> APIError.Cause {
        let detail = supported.isEmpty ? "" : "supported values: " + supported.map(goQuoted).joined(separator: ", ")
        return APIError.Cause(
            type: "FieldValueNotSupported", message: withDetail("Unsupported value: \(display(value))", detail),
            field: field)
    }

    public static func forbidden(_ field: String, _ detail: String) -> APIError.Cause {
        APIError.Cause(type: "FieldValueForbidden", message: withDetail("Forbidden", detail), field: field)
    }

    /// `Too long: may not be longer than <max>` (the value is left out, as kube does).
    public static func tooLong(_ field: String, maxLength: Int) -> APIError.Cause {
        APIError.Cause(
            type: "FieldValueTooLong", message: "Too long: may not be longer than \(maxLength)", field: field)
    }

    /// `Too many: <count>: must have at most <max> items`.
    public static func tooMany(_ field: String, count: Int, max: Int) -> APIError.Cause {
        APIError.Cause(
            type: "FieldValueTooMany", message: "Too many: \(count): must have at most \(max) items", field: field)
    }

    private static func withDetail(_ head: String, _ detail: String) -> String {
        detail.isEmpty ? head : "\(head): \(detail)"
    }

    /// A value as Go's field errors print it: strings quoted, numbers and Booleans bare, `null`,
    /// and anything else as JSON.
    public static func display(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return goQuoted(text)
        case .int(let number): return String(number)
        case .double(let number): return formatNumber(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        case .array, .object: return value.jsonString()
        }
    }

    /// A number as Go's `%v` prints a float64: integral values without a fraction.
    static func formatNumber(_ number: Double) -> String {
        if number.rounded() == number, abs(number) < 1e21 { return String(Int64(number)) }
        return String(number)
    }

    /// `strconv.Quote`: double quotes, with `"`, `\` and control characters escaped.
    static func goQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
