/// Compiler stage 3: emit one rule's bytecode straight into its chunk (as clox does),
/// interning strings on the way and tracking the stack depth for the VM.
///
/// Layout of a rule's chunk: principal scope, resource scope (each `… requireScope`;
/// the action scope is enforced by the dispatch index), then `when … requireWhen`, then `unless … requireUnless`, then
/// `accept`. Evaluation order therefore matches Cedar's `scope && when && !unless`, and
/// a `requireScope` failure is reported as "not in scope", not as a false condition.
struct ChunkEmitter {
    private(set) var chunk = Chunk()
    private var depth = 0
    private let ruleID: String
    private(set) var errors: [CompileError] = []

    init(ruleID: String) { self.ruleID = ruleID }

    // MARK: rule structure

    mutating func emitRule(_ rule: Rule, when: Expr?, unless: Expr?, symbols: inout SymbolTable) {
        emitScope(rule.principal, load: .loadPrincipal, at: rule.location, symbols: &symbols)
        // No action check here: the authorizer asks the dispatch index for the rules
        // listing the request action or one of its ancestor actions (Cedar's
        // `action in [...]`), so a candidate's action scope already holds; testing it
        // again in every rule would cost a hash per rule per request.
        emitScope(rule.resource, load: .loadResource, at: rule.location, symbols: &symbols)
        if let when {
            emitExpr(when, symbols: &symbols)
            emit(.requireWhen, at: when.location, stack: -1)
        }
        if let unless {
            emitExpr(unless, symbols: &symbols)
            emit(.requireUnless, at: unless.location, stack: -1)
        }
        emit(.accept, at: rule.location, stack: 0)
        chunk.maxStackDepth = max(chunk.maxStackDepth, 1)
    }

    private mutating func emitScope(_ scope: Rule.Scope, load: Opcode, at loc: SourceLocation, symbols: inout SymbolTable) {
        func entity(_ uid: EntityUID) -> Constant {
            .entity(type: symbols.intern(uid.type), id: symbols.intern(uid.id))
        }
        switch scope {
        case .any:
            return
        case .type(let type):
            emit(load, at: loc, stack: +1)
            emitSymbolOperand(.isType, symbols.intern(type), at: loc, stack: 0)
        case .equal(let uid):
            emit(load, at: loc, stack: +1)
            emitConstant(entity(uid), at: loc)
            emit(.equal, at: loc, stack: -1)
        case .in(let uid):
            emit(load, at: loc, stack: +1)
            emitConstant(entity(uid), at: loc)
            emit(.in, at: loc, stack: -1)
        case .typeIn(let type, let uid):
            emit(load, at: loc, stack: +1)
            emitSymbolOperand(.isType, symbols.intern(type), at: loc, stack: 0)
            emit(.requireScope, at: loc, stack: -1)
            emit(load, at: loc, stack: +1)
            emitConstant(entity(uid), at: loc)
            emit(.in, at: loc, stack: -1)
        }
        emit(.requireScope, at: loc, stack: -1)
    }

    // MARK: expressions

    mutating func emitExpr(_ expr: Expr, symbols: inout SymbolTable) {
        let loc = expr.location
        if let constant = Self.constant(for: expr, symbols: &symbols) {
            emitConstant(constant, at: loc)
            return
        }
        switch expr.kind {
        case .bool, .long, .string, .entity:
            preconditionFailure("literals are constants")
        case .variable(let v):
            let op: Opcode = switch v {
            case .principal: .loadPrincipal
            case .action: .loadAction
            case .resource: .loadResource
            case .context: .loadContext
            }
            emit(op, at: loc, stack: +1)
        case .set(let elements):
            for element in elements { emitExpr(element, symbols: &symbols) }
            guard elements.count <= Int(UInt16.max) else {
                fail("set literal has more than \(UInt16.max) elements", at: loc)
                return
            }
            emit(.makeSet, operand: elements.count, at: loc, stack: 1 - elements.count)
        case .record(let fields):
            for (_, value) in fields { emitExpr(value, symbols: &symbols) }
            chunk.recordShapes.append(fields.map { symbols.intern($0.0) })
            emit(.makeRecord, operand: chunk.recordShapes.count - 1, at: loc, stack: 1 - fields.count)
        case .getAttribute(let e, let name):
            emitExpr(e, symbols: &symbols)
            emitSymbolOperand(.getAttribute, symbols.intern(name), at: loc, stack: 0)
        case .hasAttribute(let e, let name):
            emitExpr(e, symbols: &symbols)
            emitSymbolOperand(.hasAttribute, symbols.intern(name), at: loc, stack: 0)
        case .like(let e, let pattern):
            emitExpr(e, symbols: &symbols)
            chunk.patterns.append(LikePattern.compile(pattern))
            emit(.like, operand: chunk.patterns.count - 1, at: loc, stack: 0)
        case .isType(let e, let type, nil):
            emitExpr(e, symbols: &symbols)
            emitSymbolOperand(.isType, symbols.intern(type), at: loc, stack: 0)
        case .isType(let e, let type, let container?):
            // Cedar reads `e is T in c` as `(e is T) && (e in c)`: `c` is evaluated
            // only when the type matches.
            emitExpr(e, symbols: &symbols)
            emitSymbolOperand(.isType, symbols.intern(type), at: loc, stack: 0)
            let jump = emitJump(.jumpIfFalseOrPop, at: loc, stack: -1)
            emitExpr(e, symbols: &symbols)
            emitExpr(container, symbols: &symbols)
            emit(.in, at: loc, stack: -1)
            patchJump(jump, at: loc)
        case .unary(let op, let e):
            emitExpr(e, symbols: &symbols)
            emit(op == .not ? .not : .negate, at: loc, stack: 0)
        case .binary(.and, let lhs, let rhs):
            emitExpr(lhs, symbols: &symbols)
            let jump = emitJump(.jumpIfFalseOrPop, at: loc, stack: -1)
            emitExpr(rhs, symbols: &symbols)
            emit(.checkBool, at: rhs.location, stack: 0)
            patchJump(jump, at: loc)
        case .binary(.or, let lhs, let rhs):
            emitExpr(lhs, symbols: &symbols)
            let jump = emitJump(.jumpIfTrueOrPop, at: loc, stack: -1)
            emitExpr(rhs, symbols: &symbols)
            emit(.checkBool, at: rhs.location, stack: 0)
            patchJump(jump, at: loc)
        case .binary(let op, let lhs, let rhs):
            emitExpr(lhs, symbols: &symbols)
            emitExpr(rhs, symbols: &symbols)
            emit(Self.opcode(for: op), at: loc, stack: -1)
        case .ifThenElse(let condition, let then, let otherwise):
            emitExpr(condition, symbols: &symbols)
            let toElse = emitJump(.popJumpIfFalse, at: loc, stack: -1)
            emitExpr(then, symbols: &symbols)
            let toEnd = emitJump(.jump, at: loc, stack: 0)
            depth -= 1  // the else branch starts where the then branch started
            patchJump(toElse, at: loc)
            emitExpr(otherwise, symbols: &symbols)
            patchJump(toEnd, at: loc)
        case .call(let name, let args):
            guard let function = ExtensionFunction(name: name), args.count == 1 else { return }
            emitExpr(args[0], symbols: &symbols)
            emit(.callFunction, byte: function.rawValue, at: loc, stack: 0)
        case .method(let receiver, let name, let args):
            guard let method = ExtensionMethod(name: name), args.count == method.argumentCount else { return }
            emitExpr(receiver, symbols: &symbols)
            for arg in args { emitExpr(arg, symbols: &symbols) }
            emit(.callMethod, byte: method.rawValue, at: loc, stack: -args.count)
        }
    }

    private static func opcode(for op: BinaryOperator) -> Opcode {
        switch op {
        case .equal: .equal
        case .notEqual: .notEqual
        case .less: .less
        case .lessOrEqual: .lessOrEqual
        case .greater: .greater
        case .greaterOrEqual: .greaterOrEqual
        case .in: .in
        case .add: .add
        case .subtract: .subtract
        case .multiply: .multiply
        case .contains: .contains
        case .containsAll: .containsAll
        case .containsAny: .containsAny
        case .and, .or: preconditionFailure("short-circuit operators are emitted as jumps")
        }
    }

    /// Literal expressions (including sets and records made only of literals, and
    /// `ip`/`decimal` calls on a string literal that parses) become one constant. A call
    /// whose literal does not parse is left to fail at evaluation, as it does in Cedar.
    static func constant(for expr: Expr, symbols: inout SymbolTable) -> Constant? {
        switch expr.kind {
        case .bool(let b): return .bool(b)
        case .long(let n): return .long(n)
        case .string(let s): return .string(symbols.intern(s))
        case .entity(let uid): return .entity(type: symbols.intern(uid.type), id: symbols.intern(uid.id))
        case .set(let elements):
            guard elements.allSatisfy(isLiteral) else { return nil }
            return .set(elements.compactMap { constant(for: $0, symbols: &symbols) })
        case .record(let fields):
            guard fields.allSatisfy({ isLiteral($0.1) }) else { return nil }
            return .record(fields.compactMap { key, value in
                constant(for: value, symbols: &symbols).map { .init(key: symbols.intern(key), value: $0) }
            })
        case .call("ip", let args):
            guard args.count == 1, case .string(let text) = args[0].kind,
                  case .success(let ip) = IPAddress.parse(text) else { return nil }
            return .ipaddr(ip)
        case .call("decimal", let args):
            guard args.count == 1, case .string(let text) = args[0].kind,
                  case .success(let d) = CedarDecimal.parse(text) else { return nil }
            return .decimal(d)
        default:
            return nil
        }
    }

    private static func isLiteral(_ expr: Expr) -> Bool {
        switch expr.kind {
        case .bool, .long, .string, .entity: return true
        case .set(let elements): return elements.allSatisfy(isLiteral)
        case .record(let fields): return fields.allSatisfy { isLiteral($0.1) }
        case .call("ip", let args):
            if args.count == 1, case .string(let text) = args[0].kind, case .success = IPAddress.parse(text) { return true }
            return false
        case .call("decimal", let args):
            if args.count == 1, case .string(let text) = args[0].kind, case .success = CedarDecimal.parse(text) { return true }
            return false
        default: return false
        }
    }

    // MARK: byte-level emission

    private mutating func mark(_ loc: SourceLocation) {
        if chunk.locations.last?.location != loc {
            chunk.locations.append(.init(offset: chunk.code.count, location: loc))
        }
    }

    private mutating func adjust(_ delta: Int) {
        depth += delta
        chunk.maxStackDepth = max(chunk.maxStackDepth, depth)
    }

    private mutating func emit(_ op: Opcode, at loc: SourceLocation, stack delta: Int) {
        mark(loc)
        chunk.code.append(op.rawValue)
        adjust(delta)
    }

    private mutating func emit(_ op: Opcode, operand: Int, at loc: SourceLocation, stack delta: Int) {
        guard operand <= Int(UInt16.max) else {
            fail("rule is too large to compile (\(op) operand \(operand) exceeds \(UInt16.max))", at: loc)
            return
        }
        mark(loc)
        chunk.code.append(op.rawValue)
        chunk.code.append(UInt8(operand & 0xFF))
        chunk.code.append(UInt8(operand >> 8))
        adjust(delta)
    }

    private mutating func emit(_ op: Opcode, byte: UInt8, at loc: SourceLocation, stack delta: Int) {
        mark(loc)
        chunk.code.append(op.rawValue)
        chunk.code.append(byte)
        adjust(delta)
    }

    private mutating func emitSymbolOperand(_ op: Opcode, _ symbol: UInt32, at loc: SourceLocation, stack delta: Int) {
        emit(op, operand: Int(symbol), at: loc, stack: delta)
    }

    private mutating func emitConstant(_ constant: Constant, at loc: SourceLocation) {
        let index: Int
        if let existing = chunk.constants.firstIndex(of: constant) {
            index = existing
        } else {
            chunk.constants.append(constant)
            index = chunk.constants.count - 1
        }
        emit(.constant, operand: index, at: loc, stack: +1)
    }

    private mutating func emitJump(_ op: Opcode, at loc: SourceLocation, stack delta: Int) -> Int {
        emit(op, operand: 0xFFFF, at: loc, stack: delta)
        return chunk.code.count - 2
    }

    private mutating func patchJump(_ operandOffset: Int, at loc: SourceLocation) {
        let distance = chunk.code.count - (operandOffset + 2)
        guard distance <= Int(UInt16.max) else {
            fail("condition is too large to compile (a branch spans more than \(UInt16.max) bytes)", at: loc)
            return
        }
        chunk.code[operandOffset] = UInt8(distance & 0xFF)
        chunk.code[operandOffset + 1] = UInt8(distance >> 8)
    }

    private mutating func fail(_ message: String, at loc: SourceLocation) {
        errors.append(CompileError(message, at: loc, hint: "split the condition into several rules", rule: ruleID))
    }
}
