/// The Kubernetes rules for names, label keys and label values, as apimachinery's validation
/// package states them. Each check returns the problems found; an empty list means valid.
///
/// ```swift
/// NameRules.dns1123Label("my-app")   // []
/// NameRules.qualifiedName("example.com/Tier_1")   // []
/// NameRules.labelValue("-bad")   // ["a valid label must be an empty string or …"]
/// ```
public enum NameRules {
    static let dns1123LabelMaxLength = 63
    static let dns1123SubdomainMaxLength = 253
    static let qualifiedNameMaxLength = 63
    static let labelValueMaxLength = 63

    static let dns1123LabelMessage = regexError(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
        format: "[a-z0-9]([-a-z0-9]*[a-z0-9])?", examples: ["my-name", "123-abc"])
    static let dns1123SubdomainMessage = regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        format: "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", examples: ["example.com"])
    static let qualifiedNameMessage = regexError(
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        format: "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]", examples: ["MyName", "my.name", "123-abc"])
    static let labelValueMessage = regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        format: "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?", examples: ["MyValue", "my_value", "12345"])

    /// A rule's message with its examples and pattern, worded exactly as apimachinery's
    /// `RegexError` words it (clients and people compare these texts with kube-apiserver's).
    static func regexError(_ message: String, format: String, examples: [String]) -> String {
        let shown = examples.map { "'\($0)', " }.joined(separator: " or ")
        return "\(message) (e.g. \(shown)regex used for validation is '\(format)')"
    }

    static func maxLengthMessage(_ length: Int) -> String { "must be no more than \(length) characters" }

    /// An RFC 1123 label: at most 63 of `[a-z0-9-]`, starting and ending alphanumeric (namespace names,
    /// most resource names that become DNS labels).
    public static func dns1123Label(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > dns1123LabelMaxLength { problems.append(maxLengthMessage(dns1123LabelMaxLength)) }
        if !isDNS1123Label(value.utf8[...]) {
            // A valid subdomain that is not a label can only be wrong for its dots.
            problems.append(isDNS1123Subdomain(value.utf8[...]) ? "must not contain dots" : dns1123LabelMessage)
        }
        return problems
    }

    /// An RFC 1123 subdomain: at most 253 characters, dot-separated RFC 1123 labels (object names).
    public static func dns1123Subdomain(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > dns1123SubdomainMaxLength {
            problems.append(maxLengthMessage(dns1123SubdomainMaxLength))
        }
        if !isDNS1123Subdomain(value.utf8[...]) { problems.append(dns1123SubdomainMessage) }
        return problems
    }

    /// A label or annotation key: an optional DNS subdomain prefix and `/`, then a name of at most
    /// 63 of `[A-Za-z0-9_.-]` starting and ending alphanumeric.
    public static func qualifiedName(_ value: String) -> [String] {
        var problems: [String] = []
        let parts = value.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        let name: Substring.UTF8View
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            let prefix = parts[0]
            name = parts[1]
            if prefix.isEmpty {
                problems.append("prefix part must be non-empty")
            } else {
                if prefix.count > dns1123SubdomainMaxLength {
                    problems.append("prefix part " + maxLengthMessage(dns1123SubdomainMaxLength))
                }
                if !isDNS1123Subdomain(prefix) { problems.append("prefix part " + dns1123SubdomainMessage) }
            }
        default:
            return [
                "a valid label key " + qualifiedNameMessage
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            ]
        }
        if name.isEmpty {
            problems.append("name part must be non-empty")
        } else {
            if name.count > qualifiedNameMaxLength {
                problems.append("name part " + maxLengthMessage(qualifiedNameMaxLength))
            }
            if !isQualifiedNamePart(name) { problems.append("name part " + qualifiedNameMessage) }
        }
        return problems
    }

    /// A label value: empty, or at most 63 of `[A-Za-z0-9_.-]` starting and ending alphanumeric.
    public static func labelValue(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > labelValueMaxLength { problems.append(maxLengthMessage(labelValueMaxLength)) }
        if !value.isEmpty && !isQualifiedNamePart(value.utf8[...]) { problems.append(labelValueMessage) }
        return problems
    }

    // MARK: Character classes, by hand

    private static func isLowerAlphanumeric(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }

    private static func isAlphanumeric(_ c: UInt8) -> Bool {
        isLowerAlphanumeric(c) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
    }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
    private static func isDNS1123Label<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        guard let first = bytes.first, isLowerAlphanumeric(first) else { return false }
        var last = first
        for c in bytes {
            guard isLowerAlphanumeric(c) || c == UInt8(ascii: "-") else { return false }
            last = c
        }
        return isLowerAlphanumeric(last)
    }

    /// Labels joined by dots.
    private static func isDNS1123Subdomain<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        guard !bytes.isEmpty else { return false }
        return bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).allSatisfy {
            isDNS1123Label($0)
        }
    }

    /// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`
    private static func isQualifiedNamePart<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        guard let first = bytes.first, isAlphanumeric(first) else { return false }
        var last = first
        for c in bytes {
            guard isAlphanumeric(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
            else { return false }
            last = c
        }
        return isAlphanumeric(last)
    }
}
