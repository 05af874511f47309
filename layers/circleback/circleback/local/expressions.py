"""DynamoDB's expression language, for the local engine (engine.py): condition, filter, key condition, update and
projection expressions, parsed once per text and evaluated on items in botocore's typed form ({"S": "..."}).

What DynamoDB accepts is accepted, with DynamoDB Local's answers (tests/integration/test_local_engine.py holds
the two side by side); what DynamoDB refuses is refused with its ValidationException message, reserved words
and unused placeholders included, so an expression that works here works against the real table. The grammar
is DynamoDB's whole expression grammar; nothing in it is left out silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Context, Decimal
from functools import lru_cache
from typing import Any

Value = dict[str, Any]  # one attribute value in botocore's typed form: {"S": "text"}, {"N": "12"}, {"L": [...]}
Item = dict[str, Value]
Path = tuple[str | int, ...]  # attribute names (or "#placeholders" before resolution) and list indexes

SCALAR_ORDERED = frozenset({"S", "N", "B"})
SET_TYPES = frozenset({"SS", "NS", "BS"})
TYPE_NAMES = ("N", "BS", "L", "B", "NULL", "M", "S", "SS", "NS", "BOOL")  # in DynamoDB Local's message's order
_LONG_TYPE_NAMES = {
    "S": "STRING",
    "N": "NUMBER",
    "B": "BINARY",
    "BOOL": "BOOLEAN",
    "NULL": "NULL",
    "L": "LIST",
    "M": "MAP",
    "SS": "STRING_SET",
    "NS": "NUMBER_SET",
    "BS": "BINARY_SET",
}
_SET_NAMES = {"SS": "string", "NS": "number", "BS": "binary"}
_WIDE = Context(prec=400, Emax=999_999, Emin=-999_999)  # exact for any two DynamoDB numbers
MAX_DIGITS = 38
MAX_EXPONENT = 125  # largest magnitude: 9.99...E+125
MIN_EXPONENT = -130  # smallest: 1E-130

RESERVED_WORDS = frozenset(
    """
ABORT ABSOLUTE ACTION ADD AFTER AGENT AGGREGATE ALL ALLOCATE ALTER ANALYZE AND ANY ARCHIVE ARE ARRAY AS ASC
ASCII ASENSITIVE ASSERTION ASYMMETRIC AT ATOMIC ATTACH ATTRIBUTE AUTH AUTHORIZATION AUTHORIZE AUTO AVG BACK
BACKUP BASE BATCH BEFORE BEGIN BETWEEN BIGINT BINARY BIT BLOB BLOCK BOOLEAN BOTH BREADTH BUCKET BULK BY BYTE
CALL CALLED CALLING CAPACITY CASCADE CASCADED CASE CAST CATALOG CHAR CHARACTER CHECK CLASS CLOB CLOSE CLUSTER
CLUSTERED CLUSTERING CLUSTERS COALESCE COLLATE COLLATION COLLECTION COLUMN COLUMNS COMBINE COMMENT COMMIT
COMPACT COMPILE COMPRESS CONDITION CONFLICT CONNECT CONNECTION CONSISTENCY CONSISTENT CONSTRAINT CONSTRAINTS
CONSTRUCTOR CONSUMED CONTINUE CONVERT COPY CORRESPONDING COUNT COUNTER CREATE CROSS CUBE CURRENT CURSOR CYCLE
DATA DATABASE DATE DATETIME DAY DEALLOCATE DEC DECIMAL DECLARE DEFAULT DEFERRABLE DEFERRED DEFINE DEFINED
DEFINITION DELETE DELIMITED DEPTH DEREF DESC DESCRIBE DESCRIPTOR DETACH DETERMINISTIC DIAGNOSTICS DIRECTORIES
DISABLE DISCONNECT DISTINCT DISTRIBUTE DO DOMAIN DOUBLE DROP DUMP DURATION DYNAMIC EACH ELEMENT ELSE ELSEIF
EMPTY ENABLE END EQUAL EQUALS ERROR ESCAPE ESCAPED EVAL EVALUATE EXCEEDED EXCEPT EXCEPTION EXCEPTIONS
EXCLUSIVE EXEC EXECUTE EXISTS EXIT EXPLAIN EXPLODE EXPORT EXPRESSION EXTENDED EXTERNAL EXTRACT FAIL FALSE
FAMILY FETCH FIELDS FILE FILTER FILTERING FINAL FINISH FIRST FIXED FLATTERN FLOAT FOR FORCE FOREIGN FORMAT
FORWARD FOUND FREE FROM FULL FUNCTION FUNCTIONS GENERAL GENERATE GET GLOB GLOBAL GO GOTO GRANT GREATER GROUP
GROUPING HANDLER HASH HAVE HAVING HEAP HIDDEN HOLD HOUR IDENTIFIED IDENTITY IF IGNORE IMMEDIATE IMPORT IN
INCLUDING INCLUSIVE INCREMENT INCREMENTAL INDEX INDEXED INDEXES INDICATOR INFINITE INITIALLY INLINE INNER
INNTER INOUT INPUT INSENSITIVE INSERT INSTEAD INT INTEGER INTERSECT INTERVAL INTO INVALIDATE IS ISOLATION ITEM
ITEMS ITERATE JOIN KEY KEYS LAG LANGUAGE LARGE LAST LATERAL LEAD LEADING LEAVE LEFT LENGTH LESS LEVEL LIKE
LIMIT LIMITED LINES LIST LOAD LOCAL LOCALTIME LOCALTIMESTAMP LOCATION LOCATOR LOCK LOCKS LOG LOGED LONG LOOP
LOWER MAP MATCH MATERIALIZED MAX MAXLEN MEMBER MERGE METHOD METRICS MIN MINUS MINUTE MISSING MOD MODE MODIFIES
MODIFY MODULE MONTH MULTI MULTISET NAME NAMES NATIONAL NATURAL NCHAR NCLOB NEW NEXT NO NONE NOT NULL NULLIF
NUMBER NUMERIC OBJECT OF OFFLINE OFFSET OLD ON ONLINE ONLY OPAQUE OPEN OPERATOR OPTION OR ORDER ORDINALITY
OTHER OTHERS OUT OUTER OUTPUT OVER OVERLAPS OVERRIDE OWNER PAD PARALLEL PARAMETER PARAMETERS PARTIAL PARTITION
PARTITIONED PARTITIONS PATH PERCENT PERCENTILE PERMISSION PERMISSIONS PIPE PIPELINED PLAN POOL POSITION
PRECISION PREPARE PRESERVE PRIMARY PRIOR PRIVATE PRIVILEGES PROCEDURE PROCESSED PROJECT PROJECTION PROPERTY
PROVISIONING PUBLIC PUT QUERY QUIT QUORUM RAISE RANDOM RANGE RANK RAW READ READS REAL REBUILD RECORD RECURSIVE
REDUCE REF REFERENCE REFERENCES REFERENCING REGEXP REGION REINDEX RELATIVE RELEASE REMAINDER RENAME REPEAT
REPLACE REQUEST RESET RESIGNAL RESOURCE RESPONSE RESTORE RESTRICT RESULT RETURN RETURNING RETURNS REVERSE
REVOKE RIGHT ROLE ROLES ROLLBACK ROLLUP ROUTINE ROW ROWS RULE RULES SAMPLE SATISFIES SAVE SAVEPOINT SCAN
SCHEMA SCOPE SCROLL SEARCH SECOND SECTION SEGMENT SEGMENTS SELECT SELF SEMI SENSITIVE SEPARATE SEQUENCE
SERIALIZABLE SESSION SET SETS SHARD SHARE SHARED SHORT SHOW SIGNAL SIMILAR SIZE SKEWED SMALLINT SNAPSHOT SOME
SOURCE SPACE SPACES SPARSE SPECIFIC SPECIFICTYPE SPLIT SQL SQLCODE SQLERROR SQLEXCEPTION SQLSTATE SQLWARNING
START STATE STATIC STATUS STORAGE STORE STORED STREAM STRING STRUCT STYLE SUB SUBMULTISET SUBPARTITION
SUBSTRING SUBTYPE SUM SUPER SYMMETRIC SYNONYM SYSTEM TABLE TABLESAMPLE TEMP TEMPORARY TERMINATED TEXT THAN
THEN THROUGHPUT TIME TIMESTAMP TIMEZONE TINYINT TO TOKEN TOTAL TOUCH TRAILING TRANSACTION TRANSFORM TRANSLATE
TRANSLATION TREAT TRIGGER TRIM TRUE TRUNCATE TTL TUPLE TYPE UNDER UNDO UNION UNIQUE UNIT UNKNOWN UNLOGGED
UNNEST UNPROCESSED UNSIGNED UNTIL UPDATE UPPER URL USAGE USE USER USERS USING UUID VACUUM VALUE VALUED VALUES
VARCHAR VARIABLE VARIANCE VARINT VARYING VIEW VIEWS VIRTUAL VOID WAIT WHEN WHENEVER WHERE WHILE WINDOW WITH
WITHIN WITHOUT WORK WRAPPED WRITE YEAR ZONE
""".split()  # noqa: SIM905 - a list of 573 words reads better as text
)  # DynamoDB's reserved words (its developer guide's list): never a bare attribute name in an expression


class ValidationError(Exception):
    """What DynamoDB answers with a ValidationException; the message is DynamoDB Local's."""


# --- attribute values --------------------------------------------------------------------------------------------

_CANONICAL_INTEGER = re.compile(r"0|-?[1-9][0-9]{0,37}")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def number(text: str) -> str:
    """A number as DynamoDB stores it ("1.50" -> "1.5", "1e2" -> "100"), or the ValidationException it raises."""
    if _CANONICAL_INTEGER.fullmatch(text):
        return text
    if not _NUMBER.fullmatch(text):
        raise ValidationError("A value provided cannot be converted into a number")
    sign, digits, exponent = Decimal(text).as_tuple()
    assert isinstance(exponent, int)  # noqa: S101 - the pattern admits no NaN or infinity
    significant = list(digits)
    while significant and significant[0] == 0:
        significant.pop(0)
    if not significant:
        return "0"
    while significant[-1] == 0:
        significant.pop()
        exponent += 1
    if len(significant) > MAX_DIGITS:
        raise ValidationError(f"DynamoDB only supports precision up to {MAX_DIGITS} digits")
    magnitude = exponent + len(significant) - 1
    if magnitude > MAX_EXPONENT:
        raise ValidationError(
            "Number overflow. Attempting to store a number with magnitude larger than supported range"
        )
    if magnitude < MIN_EXPONENT:
        raise ValidationError(
            "Number underflow. Attempting to store a number with magnitude smaller than supported range"
        )
    return format(Decimal((sign, tuple(significant), exponent)), "f")


def _binary(raw: Any) -> bytes:
    """A B value as botocore takes it (bytes, bytearray, or text sent as its UTF-8) and gives it back (bytes)."""
    if isinstance(raw, bytes):
        return raw
    if isinstance(raw, str):
        return raw.encode("utf-8")
    return bytes(raw)


def clean_value(value: Mapping[str, Any]) -> Value:
    """A copy of an attribute value from a request, checked as DynamoDB checks it: numbers in their stored form,
    binary as bytes, sets sorted (DynamoDB keeps no order) and neither empty nor with duplicates.
    """
    ((kind, raw),) = value.items()
    if kind == "S":
        return {"S": raw}
    if kind == "N":
        return {"N": number(raw)}
    if kind == "M":
        return {"M": {name: clean_value(inner) for name, inner in raw.items()}}
    if kind == "L":
        return {"L": [clean_value(inner) for inner in raw]}
    if kind == "BOOL":
        return {"BOOL": bool(raw)}
    if kind == "NULL":
        if raw is not True:
            raise ValidationError(
                "One or more parameter values were invalid: Null attribute value types must have the value of true"
            )
        return {"NULL": True}
    if kind == "B":
        return {"B": _binary(raw)}
    if kind in SET_TYPES:
        if not raw:
            raise ValidationError(
                f"One or more parameter values were invalid: An {_SET_NAMES[kind]} set  may not be empty"
            )
        members: list[Any]
        if kind == "SS":
            members = list(raw)
        elif kind == "NS":
            members = [number(n) for n in raw]
        else:
            members = [_binary(b) for b in raw]
        if len(set(members) if kind != "NS" else {Decimal(n) for n in members}) != len(members):
            shown = ", ".join(str(m) for m in raw)
            raise ValidationError(
                f"One or more parameter values were invalid: Input collection [{shown}] contains duplicates"
            )
        return {kind: sorted(members, key=Decimal) if kind == "NS" else sorted(members)}
    raise ValidationError(f"circleback's local engine does not know the attribute type {kind}")


def clean_item(item: Mapping[str, Any]) -> Item:
    return {name: clean_value(value) for name, value in item.items()}


def kind_of(value: Value) -> str:
    return next(iter(value))


def sort_key(value: Value) -> Any:
    """What orders a key value as DynamoDB does: numbers by value, strings by code point (as their UTF-8 bytes
    do), binary by bytes.
    """
    ((kind, raw),) = value.items()
    return Decimal(raw) if kind == "N" else raw


def equal(left: Value, right: Value) -> bool:
    ((kind, a),) = left.items()
    ((other, b),) = right.items()
    if kind != other:
        return False
    if kind == "N":
        return bool(Decimal(a) == Decimal(b))
    if kind == "NS":
        return {Decimal(n) for n in a} == {Decimal(n) for n in b}
    if kind in ("SS", "BS"):
        return set(a) == set(b)
    if kind == "L":
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if kind == "M":
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    return bool(a == b)


def _ordered(left: Value, right: Value) -> tuple[Any, Any] | None:
    """The two values as comparable Python values, or None when DynamoDB does not order them (types differ)."""
    ((kind, a),) = left.items()
    ((other, b),) = right.items()
    if kind != other or kind not in SCALAR_ORDERED:
        return None
    if kind == "N":
        return Decimal(a), Decimal(b)
    return a, b


def value_size(value: Value) -> int:
    """A value's size as DynamoDB counts it (for the 400 KB item and the 1 MB page)."""
    ((kind, raw),) = value.items()
    if kind == "S":
        return len(raw) if raw.isascii() else len(raw.encode("utf-8"))
    if kind == "N":
        return _number_size(raw)
    if kind == "B":
        return len(raw)
    if kind == "M":
        return 3 + len(raw) + item_size(raw)
    if kind == "L":
        return 3 + sum(1 + value_size(inner) for inner in raw)
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in raw)
    if kind == "NS":
        return sum(_number_size(n) for n in raw)
    if kind == "BS":
        return sum(len(b) for b in raw)
    return 1  # BOOL, NULL


def _number_size(text: str) -> int:
    """About one byte for two significant digits, and one more (leading and trailing zeros do not count)."""
    digits = text.lstrip("-0.").replace(".", "")
    if "." not in text:
        digits = digits.rstrip("0")
    return (len(digits) + 1) // 2 + 1


def item_size(item: Item) -> int:
    """An item's size as DynamoDB counts it: its names' and values' UTF-8 bytes, and a little for numbers, lists and
    maps (its developer guide's rules). Strings, nearly every value, take the short way: this runs for every item a
    Query reads, to end its page at 1 MB.
    """
    names = "".join(item)
    total = len(names) if names.isascii() else len(names.encode("utf-8"))
    for value in item.values():
        text = value.get("S")
        if text is None:
            total += value_size(value)
        elif text.isascii():
            total += len(text)
        else:
            total += len(text.encode("utf-8"))
    return total


def get_path(item: Item, path: Path) -> Value | None:
    """The value at a resolved path, or None when there is none."""
    head = path[0]
    value = item.get(head) if isinstance(head, str) else None
    for step in path[1:]:
        if value is None:
            return None
        if isinstance(step, int):
            elements = value.get("L")
            value = elements[step] if elements is not None and step < len(elements) else None
        else:
            members = value.get("M")
            value = members.get(step) if members is not None else None
    return value


def show_path(path: Path) -> str:
    return "[" + ", ".join(f"[{step}]" if isinstance(step, int) else step for step in path) + "]"


# --- tokens ------------------------------------------------------------------------------------------------------

_TOKENS = re.compile(
    r"\s*(?:(?P<name>[A-Za-z][A-Za-z0-9_]*)|(?P<hash>#[A-Za-z0-9_]+)|(?P<colon>:[A-Za-z0-9_]+)"
    r"|(?P<index>[0-9]+)|(?P<op><>|<=|>=|[=<>(),.\[\]+\-]))"
)
_KEYWORDS = frozenset({"AND", "OR", "NOT", "BETWEEN", "IN"})
_COMPARATORS = frozenset({"=", "<>", "<", "<=", ">", ">="})
_CONDITION_FUNCTIONS = frozenset(
    {"attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains"}
)
_UPDATE_FUNCTIONS = frozenset({"if_not_exists", "list_append"})
_CLAUSES = ("SET", "REMOVE", "ADD", "DELETE")


@dataclass(frozen=True)
class Token:
    kind: str  # name, keyword, hash, colon, index, op, end
    text: str
    start: int
    end: int


def _tokenize(text: str, what: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            break
        match = _TOKENS.match(text, position)
        if match is None or match.lastgroup is None:
            bad = Token("bad", text[position], position, position + 1)
            following = _TOKENS.match(text, position + 1)
            end = following.end() if following and following.lastgroup else position + 1
            raise ValidationError(f'Invalid {what}: Syntax error; token: "{bad.text}", near: "{text[position:end]}"')
        kind = match.lastgroup
        start = match.start(kind)
        word = match.group(kind)
        if kind == "name" and word.upper() in _KEYWORDS:
            kind = "keyword"
        tokens.append(Token(kind, word, start, match.end()))
        position = match.end()
    tokens.append(Token("end", "<EOF>", len(text), len(text)))
    return tokens


# --- the syntax trees --------------------------------------------------------------------------------------------
# Operands: ("path", path) | ("value", ":v") | ("size", operand) and, in updates, ("if_not_exists", path, operand),
# ("list_append", operand, operand), ("+" | "-", operand, operand).
# Conditions: ("or" | "and", left, right) | ("not", condition) | ("compare", op, left, right)
# | ("between", operand, low, high) | ("in", operand, (operands...)) | ("function", name, (operands...)).
Node = tuple[Any, ...]


@dataclass
class Parsed:
    """An expression's tree and the placeholders it uses."""

    tree: Any
    names: set[str] = field(default_factory=set)
    values: set[str] = field(default_factory=set)
    reserved: str | None = None  # the first bare attribute name that is a reserved word


class _Parser:
    def __init__(self, text: str, what: str) -> None:
        self.text = text
        self.what = what
        self.tokens = _tokenize(text, what)
        self.at = 0
        self.parsed = Parsed(None)

    # tokens
    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.at + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        token = self.peek()
        self.at += 1
        return token

    def is_op(self, text: str) -> bool:
        token = self.peek()
        return token.kind == "op" and token.text == text

    def is_keyword(self, word: str) -> bool:
        token = self.peek()
        return token.kind == "keyword" and token.text.upper() == word

    def expect_op(self, text: str) -> None:
        if not self.is_op(text):
            self.fail()
        self.take()

    def fail(self) -> None:
        bad = self.peek()
        index = self.tokens.index(bad)
        start = self.tokens[index - 1].start if index > 0 else bad.start
        end = self.tokens[index + 1].end if index + 1 < len(self.tokens) else bad.end
        near = self.text[start:end]
        raise ValidationError(f'Invalid {self.what}: Syntax error; token: "{bad.text}", near: "{near}"')

    def done(self) -> None:
        if self.peek().kind != "end":
            self.fail()

    # paths and operands
    def path(self) -> Path:
        steps: list[str | int] = [self.name()]
        while True:
            if self.is_op("."):
                self.take()
                steps.append(self.name())
            elif self.is_op("["):
                self.take()
                token = self.peek()
                if token.kind != "index":
                    self.fail()
                self.take()
                steps.append(int(token.text))
                self.expect_op("]")
            else:
                return tuple(steps)

    def name(self) -> str:
        token = self.peek()
        if token.kind == "hash":
            self.parsed.names.add(token.text)
        elif token.kind == "name":
            if token.text.upper() in RESERVED_WORDS and self.parsed.reserved is None:
                self.parsed.reserved = token.text
        else:
            self.fail()
        self.take()
        return token.text

    def operand(self, functions: frozenset[str] = frozenset({"size"})) -> Node:
        token = self.peek()
        if token.kind == "colon":
            self.take()
            self.parsed.values.add(token.text)
            return ("value", token.text)
        if token.kind == "name" and self.peek(1).kind == "op" and self.peek(1).text == "(":
            return self.function(functions)
        if token.kind in ("name", "hash"):
            return ("path", self.path())
        self.fail()
        raise AssertionError  # pragma: no cover - fail() raises

    def function(self, allowed: frozenset[str]) -> Node:
        name = self.take().text
        known = _CONDITION_FUNCTIONS | _UPDATE_FUNCTIONS | {"size"}
        if name not in known:
            raise ValidationError(f"Invalid {self.what}: Invalid function name; function: {name}")
        if name not in allowed:
            if self.what == "UpdateExpression":
                raise ValidationError(
                    f"Invalid {self.what}: The function is not allowed in an update expression; function: {name}"
                )
            raise ValidationError(
                f"Invalid {self.what}: The function is not allowed to be used this way in an expression; "
                f"function: {name}"
            )
        self.expect_op("(")
        arguments = [self.operand(allowed - _CONDITION_FUNCTIONS)]
        while self.is_op(","):
            self.take()
            arguments.append(self.operand(allowed - _CONDITION_FUNCTIONS))
        self.expect_op(")")
        expected = {"size": 1, "attribute_exists": 1, "attribute_not_exists": 1}.get(name, 2)
        if len(arguments) != expected:
            raise ValidationError(
                f"Invalid {self.what}: Incorrect number of operands for operator or function; "
                f"operator or function: {name}, number of operands: {len(arguments)}"
            )
        needs_path = name in ("attribute_exists", "attribute_not_exists", "attribute_type", "if_not_exists")
        if needs_path and arguments[0][0] != "path":
            raise ValidationError(
                f"Invalid {self.what}: Operator or function requires a document path; operator or function: {name}"
            )
        if name == "size":
            return ("size", arguments[0])
        if name in _UPDATE_FUNCTIONS:
            return (name, *arguments)
        return ("function", name, tuple(arguments))

    # conditions
    def condition(self) -> Node:
        left = self.conjunction()
        while self.is_keyword("OR"):
            self.take()
            left = ("or", left, self.conjunction())
        return left

    def conjunction(self) -> Node:
        left = self.negation()
        while self.is_keyword("AND"):
            self.take()
            left = ("and", left, self.negation())
        return left

    def negation(self) -> Node:
        if self.is_keyword("NOT"):
            self.take()
            return ("not", self.negation())
        return self.primary()

    def primary(self) -> Node:
        if self.is_op("("):
            self.take()
            inner = self.condition()
            self.expect_op(")")
            return inner
        token = self.peek()
        if token.kind == "name" and token.text in _CONDITION_FUNCTIONS and self.peek(1).text == "(":
            return self.function(_CONDITION_FUNCTIONS | {"size"})
        left = self.operand()
        token = self.peek()
        if token.kind == "op" and token.text in _COMPARATORS:
            self.take()
            return ("compare", token.text, left, self.operand())
        if self.is_keyword("BETWEEN"):
            self.take()
            low = self.operand()
            if not self.is_keyword("AND"):
                self.fail()
            self.take()
            return ("between", left, low, self.operand())
        if self.is_keyword("IN"):
            self.take()
            self.expect_op("(")
            choices = [self.operand()]
            while self.is_op(","):
                self.take()
                choices.append(self.operand())
            self.expect_op(")")
            if len(choices) > 100:
                raise ValidationError(
                    f"Invalid {self.what}: The IN operator is provided with too many operands; "
                    f"number of operands: {len(choices)}"
                )
            return ("in", left, tuple(choices))
        self.fail()
        raise AssertionError  # pragma: no cover - fail() raises

    # updates
    def update(self) -> Node:
        clauses: dict[str, list[Any]] = {}
        if self.peek().kind == "end":
            raise ValidationError(f"Invalid {self.what}: The expression can not be empty;")
        while self.peek().kind != "end":
            token = self.peek()
            verb = token.text.upper()
            if token.kind != "name" or verb not in _CLAUSES:
                self.fail()
            if verb in clauses:
                raise ValidationError(
                    f'Invalid {self.what}: The "{verb}" section can only be used once in an update expression;'
                )
            self.take()
            actions: list[Any] = [self.action(verb)]
            while self.is_op(","):
                self.take()
                actions.append(self.action(verb))
            clauses[verb] = actions
        return ("update", clauses)

    def action(self, verb: str) -> Any:
        target = self.path()
        if verb == "REMOVE":
            return target
        if verb == "SET":
            self.expect_op("=")
            return (target, self.update_value())
        token = self.peek()
        if token.kind != "colon":
            self.fail()
        self.take()
        self.parsed.values.add(token.text)
        return (target, token.text)

    def update_value(self) -> Node:
        left = self.operand(_UPDATE_FUNCTIONS)
        if self.is_op("+") or self.is_op("-"):
            operator = self.take().text
            return (operator, left, self.operand(_UPDATE_FUNCTIONS))
        return left

    # projections
    def projection(self) -> Node:
        paths = [self.path()]
        while self.is_op(","):
            self.take()
            paths.append(self.path())
        return ("projection", tuple(paths))


@lru_cache(maxsize=512)
def parse(text: str, what: str) -> Parsed:
    """The expression `text` of kind `what` (ConditionExpression, FilterExpression, KeyConditionExpression,
    UpdateExpression, ProjectionExpression): its tree and placeholders. Syntax errors are DynamoDB's.
    """
    if not text.strip() and what != "UpdateExpression":
        raise ValidationError(f"Invalid {what}: The expression can not be empty;")
    parser = _Parser(text, what)
    if what == "UpdateExpression":
        parser.parsed.tree = parser.update()
    elif what == "ProjectionExpression":
        parser.parsed.tree = parser.projection()
    else:
        parser.parsed.tree = parser.condition()
    parser.done()
    return parser.parsed


# --- a request's expressions, with its placeholders -------------------------------------------------------------


class Expressions:
    """The expressions of one request (or one transaction item), checked together against its placeholders the way
    DynamoDB checks them: every placeholder used is defined, every one defined is used, no bare reserved word.
    """

    def __init__(self, request: Mapping[str, Any], kinds: tuple[str, ...]) -> None:
        self.names: dict[str, str] = dict(request.get("ExpressionAttributeNames") or {})
        self.values: dict[str, Value] = {}
        self.parsed: dict[str, Parsed] = {}
        given_names = request.get("ExpressionAttributeNames")
        given_values = request.get("ExpressionAttributeValues")
        for kind in kinds:
            text = request.get(kind)
            if text is not None:
                self.parsed[kind] = parse(text, kind)
        if given_names is not None and not given_names:
            raise ValidationError("ExpressionAttributeNames must not be empty")
        if given_values is not None and not given_values:
            raise ValidationError("ExpressionAttributeValues must not be empty")
        if not self.parsed:
            if given_names is not None:
                raise ValidationError("ExpressionAttributeNames can only be specified when using expressions")
            if given_values is not None:
                absent = " and ".join(kinds)
                verb = "are" if len(kinds) > 1 else "is"
                raise ValidationError(
                    f"ExpressionAttributeValues can only be specified when using expressions: {absent} {verb} null"
                )
        for name in given_names or {}:
            if not name.startswith("#"):
                raise ValidationError(f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{name}"')
        for placeholder, value in (given_values or {}).items():
            if not placeholder.startswith(":"):
                raise ValidationError(
                    f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{placeholder}"'
                )
            try:
                self.values[placeholder] = clean_value(value)
            except ValidationError as error:
                raise ValidationError(
                    f"ExpressionAttributeValues contains invalid value: {error} for key {placeholder}"
                ) from None
        used_names: set[str] = set()
        used_values: set[str] = set()
        for kind, parsed in self.parsed.items():
            if parsed.reserved is not None:
                raise ValidationError(
                    f"Invalid {kind}: Attribute name is a reserved keyword; reserved keyword: {parsed.reserved}"
                )
            for name in sorted(parsed.names):
                if name not in self.names:
                    raise ValidationError(
                        f"Invalid {kind}: An expression attribute name used in the document path is not defined; "
                        f"attribute name: {name}"
                    )
            for placeholder in sorted(parsed.values):
                if placeholder not in self.values:
                    raise ValidationError(
                        f"Invalid {kind}: An expression attribute value used in expression is not defined; "
                        f"attribute value: {placeholder}"
                    )
            used_names |= parsed.names
            used_values |= parsed.values
        unused_names = [name for name in self.names if name not in used_names]
        if unused_names:
            raise ValidationError(
                f"Value provided in ExpressionAttributeNames unused in expressions: keys: {{{', '.join(unused_names)}}}"
            )
        unused_values = [v for v in self.values if v not in used_values]
        if unused_values:
            keys = ", ".join(unused_values)
            raise ValidationError(
                f"Value provided in ExpressionAttributeValues unused in expressions: keys: {{{keys}}}"
            )
        for kind, parsed in self.parsed.items():
            if kind in ("ConditionExpression", "FilterExpression", "KeyConditionExpression"):
                self._check_condition(kind, parsed.tree)
            elif kind == "UpdateExpression":
                self._check_update(kind, parsed.tree)
            else:
                _check_overlaps(kind, [self.resolve(path) for path in parsed.tree[1]])

    def tree(self, kind: str) -> Any:
        parsed = self.parsed.get(kind)
        return parsed.tree if parsed is not None else None

    def resolve(self, path: Path) -> Path:
        return tuple(self.names[step] if isinstance(step, str) and step[0] == "#" else step for step in path)

    def paths(self, kind: str) -> list[Path]:
        """The resolved paths of a projection expression (none when there is no such expression)."""
        tree = self.tree(kind)
        return [self.resolve(path) for path in tree[1]] if tree is not None else []

    # static checks: what DynamoDB refuses before it reads the item
    def _literal(self, node: Node) -> Value | None:
        return self.values[node[1]] if node[0] == "value" else None

    def _check_condition(self, kind: str, node: Node) -> None:
        tag = node[0]
        if tag in ("and", "or"):
            self._check_condition(kind, node[1])
            self._check_condition(kind, node[2])
        elif tag == "not":
            self._check_condition(kind, node[1])
        elif tag == "compare":
            _, operator, left, right = node
            if left[0] == "path" and right[0] == "path" and self.resolve(left[1]) == self.resolve(right[1]):
                raise ValidationError(
                    f"Invalid {kind}: The first operand must be distinct from the remaining operands for this "
                    f"operator or function; operator: {operator}, first operand: {show_path(self.resolve(left[1]))}"
                )
            if operator not in ("=", "<>"):
                for side in (left, right):
                    self._ordered_operand(kind, operator, side)
        elif tag == "between":
            _, subject, low, high = node
            for side in (subject, low, high):
                self._ordered_operand(kind, "BETWEEN", side)
            low_value, high_value = self._literal(low), self._literal(high)
            if low_value is not None and high_value is not None:
                shown = (
                    f"lower bound operand: AttributeValue: {_show(low_value)}, "
                    f"upper bound operand: AttributeValue: {_show(high_value)}"
                )
                ordered = _ordered(low_value, high_value)
                if ordered is None:
                    raise ValidationError(
                        f"Invalid {kind}: The BETWEEN operator requires same data type for lower and upper bounds; "
                        + shown
                    )
                if ordered[0] > ordered[1]:
                    raise ValidationError(
                        f"Invalid {kind}: The BETWEEN operator requires upper bound to be greater than or equal to "
                        f"lower bound; {shown}"
                    )
        elif tag == "function":
            _, name, arguments = node
            if name == "begins_with":
                for side in arguments:
                    literal = self._literal(side)
                    if literal is not None and kind_of(literal) not in ("S", "B"):
                        raise ValidationError(
                            f"Invalid {kind}: Incorrect operand type for operator or function; "
                            f"operator or function: begins_with, operand type: {kind_of(literal)}"
                        )
            elif name == "attribute_type":
                literal = self._literal(arguments[1])
                if literal is not None and (kind_of(literal) != "S" or literal["S"] not in TYPE_NAMES):
                    shown = literal.get("S", _show(literal))
                    raise ValidationError(
                        f"Invalid {kind}: Invalid attribute type name found; type: {shown}, "
                        f"valid types: {{{','.join(TYPE_NAMES)}}}"
                    )

    def _ordered_operand(self, kind: str, operator: str, node: Node) -> None:
        literal = self._literal(node)
        if literal is not None and kind_of(literal) not in SCALAR_ORDERED:
            raise ValidationError(
                f"Invalid {kind}: Incorrect operand type for operator or function; "
                f"operator or function: {operator}, operand type: {kind_of(literal)}"
            )

    def _check_update(self, kind: str, node: Node) -> None:
        clauses: dict[str, list[Any]] = node[1]
        targets: list[Path] = []
        for verb, actions in clauses.items():
            for action in actions:
                target = action if verb == "REMOVE" else action[0]
                targets.append(self.resolve(target))
                if verb == "SET":
                    self._check_update_value(kind, action[1])
                elif verb in ("ADD", "DELETE"):
                    value = self.values[action[1]]
                    allowed = ("N", *SET_TYPES) if verb == "ADD" else tuple(SET_TYPES)
                    if kind_of(value) not in allowed:
                        raise ValidationError(
                            f"Invalid {kind}: Incorrect operand type for operator or function; operator: {verb}, "
                            f"operand type: {_LONG_TYPE_NAMES[kind_of(value)]}, typeSet: ALLOWED_FOR_{verb}_OPERAND"
                        )
        _check_overlaps(kind, targets)

    def _check_update_value(self, kind: str, node: Node) -> None:
        tag = node[0]
        if tag in ("+", "-", "list_append"):
            wanted = "L" if tag == "list_append" else "N"
            for side in node[1:]:
                literal = self._literal(side)
                if literal is not None and kind_of(literal) != wanted:
                    raise ValidationError(
                        f"Invalid {kind}: Incorrect operand type for operator or function; "
                        f"operator or function: {tag}, operand type: {kind_of(literal)}"
                    )
                self._check_update_value(kind, side)
        elif tag == "if_not_exists":
            self._check_update_value(kind, node[2])

    # evaluation
    def holds(self, kind: str, item: Item | None) -> bool:
        """Whether the condition of kind `kind` holds on `item` (None: no item, as for a put of a new key)."""
        return self._holds(self.parsed[kind].tree, item or {})

    def _holds(self, node: Node, item: Item) -> bool:
        tag = node[0]
        if tag == "and":
            return self._holds(node[1], item) and self._holds(node[2], item)
        if tag == "or":
            return self._holds(node[1], item) or self._holds(node[2], item)
        if tag == "not":
            return not self._holds(node[1], item)
        if tag == "compare":
            _, operator, left_node, right_node = node
            left, right = self.operand(left_node, item), self.operand(right_node, item)
            if left is None or right is None:
                return operator == "<>" and (left is not None or right is not None)
            if operator == "=":
                return equal(left, right)
            if operator == "<>":
                return not equal(left, right)
            pair = _ordered(left, right)
            return pair is not None and _COMPARE[operator](pair[0], pair[1])
        if tag == "between":
            subject, low, high = (self.operand(side, item) for side in node[1:])
            if subject is None or low is None or high is None:
                return False
            above, below = _ordered(subject, low), _ordered(subject, high)
            return above is not None and below is not None and above[0] >= above[1] and below[0] <= below[1]
        if tag == "in":
            subject = self.operand(node[1], item)
            if subject is None:
                return False
            return any(
                choice is not None and equal(subject, choice) for choice in (self.operand(c, item) for c in node[2])
            )
        if tag == "function":
            return self._function(node[1], node[2], item)
        raise ValidationError(f"circleback's local engine cannot evaluate {tag} in a condition")

    def _function(self, name: str, arguments: tuple[Node, ...], item: Item) -> bool:
        if name == "attribute_exists":
            return get_path(item, self.resolve(arguments[0][1])) is not None
        if name == "attribute_not_exists":
            return get_path(item, self.resolve(arguments[0][1])) is None
        subject, other = (self.operand(argument, item) for argument in arguments)
        if subject is None or other is None:
            return False
        if name == "attribute_type":
            return kind_of(subject) == other.get("S")
        ((kind, raw),) = subject.items()
        ((other_kind, needle),) = other.items()
        if name == "begins_with":
            return kind == other_kind and kind in ("S", "B") and bool(raw.startswith(needle))
        if name == "contains":
            if kind in ("S", "B"):
                return kind == other_kind and needle in raw
            if kind in SET_TYPES:
                return kind == other_kind + "S" and any(equal({other_kind: member}, other) for member in raw)
            if kind == "L":
                return any(equal(element, other) for element in raw)
            return False
        raise ValidationError(f"circleback's local engine does not support the function {name}")

    def operand(self, node: Node, item: Item) -> Value | None:
        tag = node[0]
        if tag == "path":
            return get_path(item, self.resolve(node[1]))
        if tag == "value":
            return self.values[node[1]]
        if tag == "size":
            inner = self.operand(node[1], item)
            if inner is None:
                return None
            ((kind, raw),) = inner.items()
            if kind in ("N", "BOOL", "NULL"):
                return None
            return {"N": str(len(raw))}
        raise ValidationError(f"circleback's local engine cannot evaluate {tag} as an operand")


def _check_overlaps(kind: str, paths: list[Path]) -> None:
    for i, one in enumerate(paths):
        for two in paths[i + 1 :]:
            shorter = min(len(one), len(two))
            if one[:shorter] == two[:shorter]:
                raise ValidationError(
                    f"Invalid {kind}: Two document paths overlap with each other; must remove or rewrite one of "
                    f"these paths; path one: {show_path(one)}, path two: {show_path(two)}"
                )


def _show(value: Value) -> str:
    ((kind, raw),) = value.items()
    return f"{{{kind}:{raw}}}"


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


# --- updates -----------------------------------------------------------------------------------------------------

_INVALID_PATH = "The document path provided in the update expression is invalid for update"
_MISSING = "The provided expression refers to an attribute that does not exist in the item"
_WRONG_TYPE = "An operand in the update expression has an incorrect data type"


def updated_attributes(expressions: Expressions, item: Item) -> Item:
    """What UPDATED_OLD (of the item before) or UPDATED_NEW (after) returns: each top-level attribute, whole, of
    which a path the update expression names is in the item.
    """
    clauses: dict[str, list[Any]] = expressions.tree("UpdateExpression")[1]
    returned: Item = {}
    for verb, actions in clauses.items():
        for action in actions:
            path = expressions.resolve(action if verb == "REMOVE" else action[0])
            head = path[0]
            if isinstance(head, str) and get_path(item, path) is not None:
                returned[head] = item[head]
    return returned


def apply_update(expressions: Expressions, item: Item, key_names: Iterable[str]) -> Item:
    """The item after the update expression, a new item (`item` is left as it was). Every right-hand side is read
    from the item as it was; then SET, REMOVE, ADD and DELETE apply, list indexes as they were before the update.
    """
    clauses: dict[str, list[Any]] = expressions.tree("UpdateExpression")[1]
    keys = set(key_names)
    for verb, actions in clauses.items():
        for action in actions:
            head = expressions.resolve(action if verb == "REMOVE" else action[0])[0]
            if head in keys:
                raise ValidationError(
                    f"One or more parameter values were invalid: Cannot update attribute {head}. "
                    "This attribute is part of the key"
                )
    for path, _ in clauses.get("SET", []):
        target = expressions.resolve(path)
        if len(target) > 1 and _container(get_path(item, target[:-1])) != ("L" if isinstance(target[-1], int) else "M"):
            raise ValidationError(_INVALID_PATH)
    sets = [
        (expressions.resolve(path), _update_value(expressions, node, item)) for path, node in clauses.get("SET", [])
    ]
    result = dict(item)
    for path, value in sets:
        _assign(result, path, _constant(value), create=True)
    removals = sorted((expressions.resolve(path) for path in clauses.get("REMOVE", [])), key=_removal_order)
    for path in removals:
        _remove(result, path)
    for path, placeholder in clauses.get("ADD", []):
        _assign(result, expressions.resolve(path), _adder(expressions.values[placeholder]), create=True)
    for path, placeholder in clauses.get("DELETE", []):
        _assign(result, expressions.resolve(path), _deleter(expressions.values[placeholder]), create=False)
    return result


def _constant(value: Value) -> Callable[[Value | None], Value | None]:
    return lambda _old: value


def _container(value: Value | None) -> str | None:
    return kind_of(value) if value is not None else None


def _removal_order(path: Path) -> tuple[str, int]:
    """Remove list elements from the highest index down, so each index is the one the expression meant."""
    last = path[-1]
    return repr(path[:-1]), -last if isinstance(last, int) else 0


def _update_value(expressions: Expressions, node: Node, item: Item) -> Value:
    tag = node[0]
    if tag == "value":
        return expressions.values[node[1]]
    if tag == "path":
        found = get_path(item, expressions.resolve(node[1]))
        if found is None:
            raise ValidationError(_MISSING)
        return found
    if tag == "if_not_exists":
        found = get_path(item, expressions.resolve(node[1][1]))
        return found if found is not None else _update_value(expressions, node[2], item)
    if tag == "list_append":
        first, second = (_update_value(expressions, side, item) for side in node[1:])
        if kind_of(first) != "L" or kind_of(second) != "L":
            raise ValidationError(_WRONG_TYPE)
        return {"L": [*first["L"], *second["L"]]}
    if tag in ("+", "-"):
        left, right = (_update_value(expressions, side, item) for side in node[1:])
        if kind_of(left) != "N" or kind_of(right) != "N":
            raise ValidationError(_WRONG_TYPE)
        a, b = Decimal(left["N"]), Decimal(right["N"])
        total = _WIDE.add(a, b) if tag == "+" else _WIDE.subtract(a, b)
        return {"N": number(format(total, "f"))}
    raise ValidationError(f"circleback's local engine does not support {tag} in an update expression")


def _adder(operand: Value) -> Callable[[Value | None], Value | None]:
    def add(current: Value | None) -> Value | None:
        if current is None:
            return operand
        kind = kind_of(operand)
        if kind_of(current) != kind:
            raise ValidationError(_WRONG_TYPE)
        if kind == "N":
            return {"N": number(format(_WIDE.add(Decimal(current["N"]), Decimal(operand["N"])), "f"))}
        if kind == "NS":
            present = {Decimal(n) for n in current["NS"]}
            added = current["NS"] + [n for n in operand["NS"] if Decimal(n) not in present]
            return {"NS": sorted(added, key=Decimal)}
        return {kind: sorted(set(current[kind]) | set(operand[kind]))}

    return add


def _deleter(operand: Value) -> Callable[[Value | None], Value | None]:
    def delete(current: Value | None) -> Value | None:
        if current is None:
            return None
        kind = kind_of(operand)
        if kind_of(current) != kind:
            raise ValidationError(_WRONG_TYPE)
        if kind == "NS":
            gone = {Decimal(n) for n in operand["NS"]}
            left = [n for n in current["NS"] if Decimal(n) not in gone]
        else:
            removed = set(operand[kind])
            left = [member for member in current[kind] if member not in removed]
        return {kind: left} if left else None

    return delete


def _assign(item: Item, path: Path, change: Callable[[Value | None], Value | None], *, create: bool) -> None:
    """Replace the value at `path` by change(old value); None removes it. Containers on the way are copied, never
    changed in place (the old item may still be read). The parent of a nested path must exist.
    """
    head = path[0]
    assert isinstance(head, str)  # noqa: S101 - a path starts with a name
    if len(path) == 1:
        new = change(item.get(head))
        if new is not None:
            item[head] = new
        else:
            item.pop(head, None)
        return
    parent = item.get(head)
    if parent is None:
        if not create and change(None) is None:
            return
        raise ValidationError(_INVALID_PATH)
    item[head] = _assign_within(parent, path[1:], change, create=create)


def _assign_within(
    container: Value, path: Path, change: Callable[[Value | None], Value | None], *, create: bool
) -> Value:
    step = path[0]
    if isinstance(step, int):
        if kind_of(container) != "L":
            raise ValidationError(_INVALID_PATH)
        elements = list(container["L"])
        if len(path) == 1:
            old = elements[step] if step < len(elements) else None
            new = change(old)
            if new is None:
                if step < len(elements):
                    del elements[step]
            elif step < len(elements):
                elements[step] = new
            else:
                elements.append(new)
            return {"L": elements}
        if step >= len(elements):
            raise ValidationError(_INVALID_PATH)
        elements[step] = _assign_within(elements[step], path[1:], change, create=create)
        return {"L": elements}
    if kind_of(container) != "M":
        raise ValidationError(_INVALID_PATH)
    members = dict(container["M"])
    if len(path) == 1:
        new = change(members.get(step))
        if new is None:
            members.pop(step, None)
        else:
            members[step] = new
        return {"M": members}
    inner = members.get(step)
    if inner is None:
        raise ValidationError(_INVALID_PATH)
    members[step] = _assign_within(inner, path[1:], change, create=create)
    return {"M": members}


def _remove(item: Item, path: Path) -> None:
    if len(path) > 1 and get_path(item, path[:-1]) is None:
        raise ValidationError(_INVALID_PATH)
    if len(path) > 1 and get_path(item, path) is None:
        return
    _assign(item, path, lambda _old: None, create=False)


# --- projections -------------------------------------------------------------------------------------------------


def project(item: Item, paths: list[Path]) -> Item:
    """The parts of `item` the paths name, nested as in the item (list elements keep their order, compacted)."""
    result: dict[str, Any] = {}
    for path in paths:
        value = get_path(item, path)
        if value is None:
            continue
        if len(path) == 1:
            result[path[0]] = value  # type: ignore[index]
            continue
        _graft(result, path, value)
    return {name: _finish(value) for name, value in result.items()}


def _graft(result: dict[str, Any], path: Path, value: Value) -> None:
    """Put `value` under `path` in `result`, a tree of dicts: ("M", {...}) and ("L", {index: ...}) for containers."""
    node: Any = result
    key: Any = path[0]
    for step in path[1:]:
        kind = "L" if isinstance(step, int) else "M"
        existing = node.get(key)
        if not (isinstance(existing, tuple) and existing[0] == kind):
            existing = (kind, {})
            node[key] = existing
        node = existing[1]
        key = step
    node[key] = value


def _finish(node: Any) -> Value:
    if isinstance(node, tuple):
        kind, members = node
        if kind == "M":
            return {"M": {name: _finish(inner) for name, inner in members.items()}}
        return {"L": [_finish(members[index]) for index in sorted(members)]}
    value: Value = node
    return value
