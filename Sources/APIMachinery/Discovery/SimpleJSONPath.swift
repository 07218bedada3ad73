public import Resources
import OrderedCollections

/// The subset of kubectl's JSONPath that CRD `additionalPrinterColumns` use:
/// `.spec.replicas`, `.metadata.labels.app`, `.spec.items[0].name`, `.spec.items[*].name`,
/// `.metadata.annotations['example.com/x']` and filters such as
/// `.status.conditions[?(@.type=="Ready")].status` (with `==` or `!=`).
///
/// ```swift
/// let path = try SimpleJSONPath(".status.conditions[?(@.type==\"Ready\")].status")
/// path.evaluate(object)   // ["True"]
/// ```
public struct SimpleJSONPath: Sendable, Hashable {
    enum Step: Sendable, Hashable {
        case field(String)
        case index(Int)
        case all
        case filter(path: [String], equals: Bool, value: JSONValue)
    }

    let steps: [Step]

    /// A path that cannot be parsed.
    public struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        public var path: String
        public var description: String { "unsupported JSONPath \(path)" }
    }

    /// Parses `text`; surrounding `{` `}` are allowed, as kubectl writes `{.spec.x}`.
    public init(_ text: String) throws(SyntaxError) {
        var source = Substring(text.trimmingSpaces)
        if source.hasPrefix("{"), source.hasSuffix("}") { source = source.dropFirst().dropLast() }
        var steps: [Step] = []
        var rest = source
        while !rest.isEmpty {
            if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                let name = rest.prefix { $0 != "." && $0 != "[" }
                guard !name.isEmpty else { throw SyntaxError(path: text) }
                steps.append(name == "*" ? .all : .field(String(name)))
                rest = rest.dropFirst(name.count)
            } else if rest.hasPrefix("[") {
                guard let close = Self.closingBracket(in: rest) else { throw SyntaxError(path: text) }
                let inner = rest[rest.index(after: rest.startIndex)..<close].trimmingSpaces
                rest = rest[rest.index(after: close)...]
                steps.append(try Self.bracketStep(Substring(inner), path: text))
            } else {
                throw SyntaxError(path: text)
            }
        }
        self.steps = steps
    }

    /// The values the path selects in `value`, in document order; empty when nothing matches.
    public func evaluate(_ value: JSONValue) -> [JSONValue] {
        var current = [value]
        for step in steps {
            var next: [JSONValue] = []
            for item in current {
                switch step {
                case .field(let name):
                    if let member = item[name] { next.append(member) }
                case .index(let index):
                    if let elements = item.arrayValue {
                        let position = index < 0 ? elements.count + index : index
                        if elements.indices.contains(position) { next.append(elements[position]) }
                    }
                case .all:
                    if let elements = item.arrayValue { next += elements }
                    if let members = item.objectValue { next += members.values }
                case .filter(let path, let equals, let expected):
                    for element in item.arrayValue ?? [] {
                        var selected: JSONValue? = element
                        for name in path { selected = selected?[name] }
                        if let selected, (selected == expected) == equals { next.append(element) }
                    }
                }
            }
            current = next
        }
        return current
    }

    private static func closingBracket(in text: Substring) -> Substring.Index? {
        var quote: Character?
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let character = text[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "]" {
                return index
            }
            index = text.index(after: index)
        }
        return nil
    }

    private static func bracketStep(_ inner: Substring, path: String) throws(SyntaxError) -> Step {
        if inner == "*" { return .all }
        if let index = Int(inner) { return .index(index) }
        if let quoted = unquoted(inner) { return .field(quoted) }
        // ?(@.a.b=="v") or ?(@.a!='v') or ?(@.n==3)
        guard inner.hasPrefix("?("), inner.hasSuffix(")") else { throw SyntaxError(path: path) }
        let expression = inner.dropFirst(2).dropLast()
        let equals: Bool
        let parts: [Substring]
        if let range = expression.firstRange(of: "!=") {
            equals = false
            parts = [expression[..<range.lowerBound], expression[range.upperBound...]]
        } else if let range = expression.firstRange(of: "==") {
            equals = true
            parts = [expression[..<range.lowerBound], expression[range.upperBound...]]
        } else {
            throw SyntaxError(path: path)
        }
        let left = Substring(parts[0].trimmingSpaces)
        let right = Substring(parts[1].trimmingSpaces)
        guard left.hasPrefix("@.") else { throw SyntaxError(path: path) }
        let fields = left.dropFirst(2).split(separator: ".").map(String.init)
        let value: JSONValue
        if let text = unquoted(right) {
            value = .string(text)
        } else if let number = Int64(right) {
            value = .int(number)
        } else if let number = Double(right) {
            value = .double(number)
        } else if right == "true" || right == "false" {
            value = .bool(right == "true")
        } else {
            throw SyntaxError(path: path)
        }
        return .filter(path: fields, equals: equals, value: value)
    }

    private static func unquoted(_ text: Substring) -> String? {
        guard text.count >= 2, let first = text.first, first == "'" || first == "\"", text.last == first else {
            return nil
        }
        return String(text.dropFirst().dropLast())
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
