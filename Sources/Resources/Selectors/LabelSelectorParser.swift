/// The string syntax of label selectors, read the way apimachinery's lexer reads it: identifiers
/// are runs of anything but whitespace and `!=,()<>`; `in` and `notin` are keywords.
struct LabelSelectorParser {
    private let scalars: [Unicode.Scalar]
    private var position = 0

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    mutating func parse() throws(LabelSelectorError) -> [LabelSelector.Requirement] {
        skipSpaces()
        if atEnd { return [] }
        var requirements: [LabelSelector.Requirement] = []
        while true {
            requirements.append(try parseRequirement())
            skipSpaces()
            if atEnd { return requirements }
            guard current == "," else { throw error("expected ',' or end of selector") }
            position += 1
            skipSpaces()
        }
    }

    private var atEnd: Bool { position >= scalars.count }
    private var current: Unicode.Scalar? { atEnd ? nil : scalars[position] }

    private func error(_ message: String, at offset: Int? = nil) -> LabelSelectorError {
        LabelSelectorError(position: offset ?? position, message: message)
    }

    private mutating func skipSpaces() {
        while let c = current, c.properties.isWhitespace { position += 1 }
    }

    private static func isSpecial(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "!", "=", ",", "(", ")", "<", ">": true
        default: c.properties.isWhitespace
        }
    }

    /// An identifier starting here (possibly empty).
    private mutating func identifier() -> String {
        let start = position
        while let c = current, !Self.isSpecial(c) { position += 1 }
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars[start..<position])
        return text
    }

    private mutating func parseRequirement() throws(LabelSelectorError) -> LabelSelector.Requirement {
        let start = position
        if current == "!" {
            position += 1
            skipSpaces()
            let keyStart = position
            let key = identifier()
            guard !key.isEmpty else { throw error("expected a label key after '!'") }
            if let problem = NameRules.qualifiedName(key).first {
                throw error("invalid label key \(quoted(key)): \(problem)", at: keyStart)
            }
            return try make(key: key, .doesNotExist, [], at: keyStart)
        }
        let key = identifier()
        guard !key.isEmpty else {
            if let c = current { throw error("expected a label key, found '\(c)'") }
            throw error("expected a label key")
        }
        if key == "in" || key == "notin" { throw error("expected a label key, found keyword '\(key)'", at: start) }
        if let problem = NameRules.qualifiedName(key).first {
            throw error("invalid label key \(quoted(key)): \(problem)", at: start)
        }
        skipSpaces()
        guard let c = current, c != "," else { return try make(key: key, .exists, [], at: start) }
        switch c {
        case "=", "!":
            let isNot = c == "!"
            position += 1
            if current == "=" {
                position += 1
            } else if isNot {
                throw error("expected '=' after '!'")
            }
            skipSpaces()
            let valueStart = position
            let value = identifier()
            if let next = current, next != ",", !next.properties.isWhitespace {
                throw error("unexpected '\(next)' in the value of \(quoted(key))")
            }
            return try make(key: key, isNot ? .notEquals : .equals, [value], at: valueStart)
        default:
            let wordStart = position
            let word = identifier()
            let op: LabelSelector.Requirement.Operator
            switch word {
            case "in": op = .in
            case "notin": op = .notIn
            default:
                throw error("expected '=', '!=', '==', 'in', 'notin', ',' or end of selector", at: wordStart)
            }
            skipSpaces()
            guard current == "(" else { throw error("expected '(' after '\(word)'") }
            position += 1
            let valuesStart = position
            var values: [String] = []
            skipSpaces()
            if current == ")" {
                throw error("for 'in', 'notin' operators, values set can't be empty", at: valuesStart)
            }
            while true {
                skipSpaces()
                values.append(identifier())
                skipSpaces()
                if current == "," {
                    position += 1
                    continue
                }
                if current == ")" {
                    position += 1
                    break
                }
                if atEnd { throw error("expected ')' to close the values of \(quoted(key))") }
                throw error("expected ',' or ')' in the values of \(quoted(key))")
            }
            return try make(key: key, op, values, at: valuesStart)
        }
    }

    private func make(
        key: String, _ op: LabelSelector.Requirement.Operator, _ values: [String], at offset: Int
    ) throws(LabelSelectorError) -> LabelSelector.Requirement {
        do {
            return try LabelSelector.Requirement(key: key, operator: op, values: values)
        } catch {
            throw LabelSelectorError(position: offset, message: error.message)
        }
    }
}
