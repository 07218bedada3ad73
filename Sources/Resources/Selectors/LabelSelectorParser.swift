/// The string syntax of label selectors, read as apimachinery's `labels.Parse` reads it, with its
/// error messages word for word (kubectl prints them): `a b` gives
/// `unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt`.
///
/// A lexer turns the text into tokens (identifiers are runs of anything but whitespace and
/// `!=,()<>`; `in` and `notin` are keywords except where a value is expected); a recursive
/// descent parser reads `[!]key [op value | in|notin (values)]`, comma-separated.
struct LabelSelectorParser {
    enum Token: Equatable {
        case end, openParenthesis, closeParenthesis, comma, not, equals, doubleEquals, notEquals
        case greaterThan, lessThan, `in`, notIn, identifier
    }

    /// Where a token is read: among values, `in` and `notin` are plain identifiers.
    private enum Context { case keyAndOperator, values }

    private struct Scanned {
        var token: Token
        var literal: String
        var offset: Int
    }

    private let items: [Scanned]
    private var position = 0

    init(_ text: String) {
        items = Self.scan(Array(text.utf8))
    }

    mutating func parse() throws(LabelSelectorError) -> [LabelSelector.Requirement] {
        var requirements: [LabelSelector.Requirement] = []
        while true {
            let next = lookahead(.values)
            switch next.token {
            case .identifier, .not:
                let requirement: LabelSelector.Requirement
                do {
                    requirement = try parseRequirement()
                } catch {
                    throw LabelSelectorError(
                        position: error.position, message: "unable to parse requirement: \(error.message)")
                }
                requirements.append(requirement)
                let after = consume(.values)
                switch after.token {
                case .end:
                    return requirements
                case .comma:
                    let following = lookahead(.values)
                    guard following.token == .identifier || following.token == .not else {
                        throw failure(following, "expected: identifier after ','")
                    }
                default:
                    throw failure(after, "expected: ',' or 'end of string'")
                }
            case .end:
                return requirements
            default:
                throw failure(next, "expected: !, identifier, or 'end of string'")
            }
        }
    }

    // MARK: Parser

    private mutating func parseRequirement() throws(LabelSelectorError) -> LabelSelector.Requirement {
        let (key, inferred) = try parseKeyAndInferOperator()
        if let inferred { return try Self.requirement(key, inferred, []) }
        let op = try parseOperator()
        let values: Set<String>
        switch op {
        case .in, .notIn: values = try parseValues()
        default: values = try parseExactValue()
        }
        return try Self.requirement(key, op, values.sorted())
    }

    /// The key, and `exists`/`doesNotExist` when no operator follows it.
    private mutating func parseKeyAndInferOperator()
        throws(LabelSelectorError) -> (String, LabelSelector.Requirement.Operator?)
    {
        var op: LabelSelector.Requirement.Operator?
        var item = consume(.values)
        if item.token == .not {
            op = .doesNotExist
            item = consume(.values)
        }
        guard item.token == .identifier else { throw failure(item, "expected: identifier") }
        let problems = NameRules.qualifiedName(item.literal)
        if !problems.isEmpty {
            throw LabelSelectorError(
                position: item.offset,
                message: "<nil>: Invalid value: \(quoted(item.literal)): \(problems.joined(separator: "; "))")
        }
        let next = lookahead(.values).token
        if next == .end || next == .comma, op == nil { op = .exists }
        return (item.literal, op)
    }

    private mutating func parseOperator() throws(LabelSelectorError) -> LabelSelector.Requirement.Operator {
        let item = consume(.keyAndOperator)
        switch item.token {
        case .in: return .in
        case .notIn: return .notIn
        case .equals, .doubleEquals: return .equals
        case .notEquals: return .notEquals
        case .greaterThan: return .greaterThan
        case .lessThan: return .lessThan
        default: throw failure(item, "expected: in, notin, =, ==, !=, gt, lt")
        }
    }

    /// `(a,b,…)`; `()` and empty members stand for the empty value.
    private mutating func parseValues() throws(LabelSelectorError) -> Set<String> {
        let open = consume(.values)
        // kube writes this one without a comma.
        guard open.token == .openParenthesis else {
            throw LabelSelectorError(position: open.offset, message: "found '\(open.literal)' expected: '('")
        }
        let first = lookahead(.values)
        switch first.token {
        case .identifier, .comma:
            let values = try parseIdentifierList()
            // kube names the token after '(' here, not the one found.
            guard consume(.values).token == .closeParenthesis else { throw failure(first, "expected: ')'") }
            return values
        case .closeParenthesis:
            _ = consume(.values)
            return [""]
        default:
            throw failure(first, "expected: ',', ')' or identifier")
        }
    }

    private mutating func parseIdentifierList() throws(LabelSelectorError) -> Set<String> {
        var values: Set<String> = []
        while true {
            let item = consume(.values)
            switch item.token {
            case .identifier:
                values.insert(item.literal)
                let next = lookahead(.values)
                switch next.token {
                case .comma: continue
                case .closeParenthesis: return values
                default: throw failure(next, "expected: ',' or ')'")
                }
            case .comma:
                if values.isEmpty { values.insert("") }
                let next = lookahead(.values).token
                if next == .closeParenthesis {
                    values.insert("")
                    return values
                }
                if next == .comma { values.insert("") }
            default:
                throw failure(item, "expected: ',', or identifier")
            }
        }
    }

    private mutating func parseExactValue() throws(LabelSelectorError) -> Set<String> {
        let next = lookahead(.values).token
        if next == .end || next == .comma { return [""] }
        let item = consume(.values)
        guard item.token == .identifier else { throw failure(item, "expected: identifier") }
        return [item.literal]
    }

    /// apimachinery's `NewRequirement` checks, worded as its field errors are (`values[0][app]: …`).
    private static func requirement(
        _ key: String, _ op: LabelSelector.Requirement.Operator, _ values: [String]
    ) throws(LabelSelectorError) -> LabelSelector.Requirement {
        var errors: [String] = []
        if op == .greaterThan || op == .lessThan {
            for (index, value) in values.enumerated() where Int64(value) == nil {
                errors.append("values[\(index)]: Invalid value: \(quoted(value)): for 'Gt', 'Lt' operators, the value must be an integer")
            }
        }
        for (index, value) in values.enumerated() {
            let problems = NameRules.labelValue(value)
            if !problems.isEmpty {
                errors.append("values[\(index)][\(key)]: Invalid value: \(quoted(value)): \(problems.joined(separator: "; "))")
            }
        }
        // An aggregate of several errors prints as `[first, second]`.
        if errors.count == 1 { throw LabelSelectorError(message: errors[0]) }
        if errors.count > 1 { throw LabelSelectorError(message: "[\(errors.joined(separator: ", "))]") }
        return try LabelSelector.Requirement(key: key, operator: op, values: values)
    }

    // MARK: Tokens

    private func lookahead(_ context: Context) -> Scanned {
        Self.inContext(items[min(position, items.count - 1)], context)
    }

    private mutating func consume(_ context: Context) -> Scanned {
        let item = lookahead(context)
        position += 1
        return item
    }

    private static func inContext(_ item: Scanned, _ context: Context) -> Scanned {
        guard context == .values, item.token == .in || item.token == .notIn else { return item }
        var item = item
        item.token = .identifier
        return item
    }

    private func failure(_ item: Scanned, _ expectation: String) -> LabelSelectorError {
        LabelSelectorError(position: item.offset, message: "found '\(item.literal)', \(expectation)")
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
    }

    private static func isSpecial(_ byte: UInt8) -> Bool {
        "=!(),><".utf8.contains(byte)
    }

    private static let symbols: [String: Token] = [
        "(": .openParenthesis, ")": .closeParenthesis, ",": .comma, "!": .not, "=": .equals, "==": .doubleEquals,
        "!=": .notEquals, ">": .greaterThan, "<": .lessThan,
    ]

    /// Every token of `text`, ending with `.end`.
    private static func scan(_ text: [UInt8]) -> [Scanned] {
        var items: [Scanned] = []
        var index = 0
        while true {
            while index < text.count, isWhitespace(text[index]) { index += 1 }
            let start = index
            guard index < text.count else {
                items.append(Scanned(token: .end, literal: "", offset: index))
                return items
            }
            if isSpecial(text[index]) {
                // The longest symbol: `!=` and `==` over `!` and `=`.
                var end = index + 1
                if end < text.count, symbols[String(decoding: text[index...end], as: UTF8.self)] != nil { end += 1 }
                let literal = String(decoding: text[index..<end], as: UTF8.self)
                items.append(Scanned(token: symbols[literal] ?? .identifier, literal: literal, offset: start))
                index = end
                continue
            }
            while index < text.count, !isSpecial(text[index]), !isWhitespace(text[index]) { index += 1 }
            let literal = String(decoding: text[start..<index], as: UTF8.self)
            let token: Token = literal == "in" ? .in : literal == "notin" ? .notIn : .identifier
            items.append(Scanned(token: token, literal: literal, offset: start))
        }
    }
}
