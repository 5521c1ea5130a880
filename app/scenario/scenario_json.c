/* The JSON text of a scenario -> a cJSON tree, with the line and column of every
 * value and every key. cJSON itself keeps no positions and reports a syntax error
 * only as a pointer, so this is a small strict RFC 8259 parser that builds the cJSON
 * tree as it goes and says what it expected where. */
#include "app/scenario/scenario_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 100

struct jparser {
    const char *text;
    size_t len, p;
    GHashTable *pos;
    int depth;
    /* the position cursor: (off, line, col), moved forward as the parse goes */
    size_t cur_off;
    int cur_line, cur_col;
    bool failed;
    size_t err_off;
    char *msg;
    size_t msgsz;
};

/* ---- positions ---------------------------------------------------------------------- */

static size_t bom_len(const char *text, size_t len)
{
    return len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
}

/* Move the cursor to off (forward; backward starts again from the top). A UTF-8
 * continuation byte is part of the character before it. */
static struct scn_pos cursor_to(const char *text, size_t len, size_t *coff, int *line, int *col,
                                size_t off)
{
    if (off < *coff || *line == 0) {
        *coff = bom_len(text, len);
        *line = 1;
        *col = 1;
    }
    if (off > len)
        off = len;
    for (size_t i = *coff; i < off; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n') {
            (*line)++;
            *col = 1;
        } else if ((ch & 0xc0) != 0x80) {
            (*col)++;
        }
    }
    if (off > *coff)
        *coff = off;
    return (struct scn_pos){ .line = *line, .col = *col };
}

struct scn_pos scn_json_offset_pos(const char *text, size_t len, size_t off)
{
    size_t coff = 0;
    int line = 0, col = 0;
    return cursor_to(text, len, &coff, &line, &col, off);
}

static struct scn_pos pos_at(struct jparser *jp, size_t off)
{
    return cursor_to(jp->text, jp->len, &jp->cur_off, &jp->cur_line, &jp->cur_col, off);
}

GHashTable *scn_json_pos_table(void)
{
    return g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
}

/* ---- errors ------------------------------------------------------------------------- */

static bool jfail(struct jparser *jp, size_t off, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static bool jfail(struct jparser *jp, size_t off, const char *fmt, ...)
{
    if (jp->failed)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(jp->msg, jp->msgsz, fmt, ap);
    va_end(ap);
    jp->failed = true;
    jp->err_off = off;
    return false;
}

/* What stands at p, for a message: 'x', "end of file", or a word. */
static const char *found(const struct jparser *jp, char *buf, size_t n)
{
    if (jp->p >= jp->len)
        return "the end of the file";
    unsigned char ch = (unsigned char)jp->text[jp->p];
    if (ch < 0x20)
        snprintf(buf, n, "a control character (0x%02x)", ch);
    else if (ch >= 0x80)
        snprintf(buf, n, "a non-ASCII character");
    else
        snprintf(buf, n, "'%c'", ch);
    return buf;
}

static void skip_ws(struct jparser *jp)
{
    while (jp->p < jp->len) {
        char ch = jp->text[jp->p];
        if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
            break;
        jp->p++;
    }
}

static int peek(const struct jparser *jp)
{
    return jp->p < jp->len ? (unsigned char)jp->text[jp->p] : -1;
}

/* ---- values ------------------------------------------------------------------------- */

/* Positions are taken before a value is parsed (so the cursor only moves forward)
 * and recorded once the node exists. */
static void record(struct jparser *jp, cJSON *node, struct scn_pos key, struct scn_pos val,
                   size_t off)
{
    struct scn_node_pos *np = g_new0(struct scn_node_pos, 1);
    np->key = key;
    np->val = val;
    np->off = off;
    g_hash_table_insert(jp->pos, node, np);
}

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Four hex digits at p; -1 if they are not there. */
static long hex4(const struct jparser *jp, size_t p)
{
    if (p + 4 > jp->len)
        return -1;
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval((unsigned char)jp->text[p + i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* \uXXXX (and its low surrogate) at jp->p (on the 'u'); appends the UTF-8. */
static bool unicode_escape(struct jparser *jp, GString *out, size_t esc)
{
    long cp = hex4(jp, jp->p + 1);
    if (cp < 0)
        return jfail(jp, esc, "invalid \\u escape in string: expected 4 hex digits");
    jp->p += 5;
    if (cp >= 0xdc00 && cp <= 0xdfff)
        return jfail(jp, esc, "invalid \\u escape in string: a lone low surrogate");
    if (cp >= 0xd800 && cp <= 0xdbff) {
        long lo = jp->p + 1 < jp->len && jp->text[jp->p] == '\\' && jp->text[jp->p + 1] == 'u'
                      ? hex4(jp, jp->p + 2) : -1;
        if (lo < 0xdc00 || lo > 0xdfff)
            return jfail(jp, esc, "invalid \\u escape in string: a high surrogate without its low half");
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        jp->p += 6;
    }
    if (cp == 0)
        return jfail(jp, esc, "\\u0000 is not allowed in strings");
    g_string_append_unichar(out, (gunichar)cp);
    return true;
}

static bool escape(struct jparser *jp, GString *out)
{
    size_t esc = jp->p++;
    int ch = peek(jp);
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *f = ch > 0 ? strchr(from, ch) : NULL;
    if (f) {
        g_string_append_c(out, to[f - from]);
        jp->p++;
        return true;
    }
    if (ch == 'u')
        return unicode_escape(jp, out, esc);
    if (ch < 0)
        return jfail(jp, jp->p, "unexpected end of the file inside a string");
    char shown = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    return jfail(jp, esc, "invalid escape '\\%c' in string (expected \\\", \\\\, \\/, \\b, \\f, "
                 "\\n, \\r, \\t or \\uXXXX)", shown);
}

/* A string at jp->p (on the quote); the decoded text in out. */
static bool string_token(struct jparser *jp, GString *out)
{
    size_t start = jp->p++;
    for (;;) {
        if (jp->p >= jp->len)
            return jfail(jp, start, "unterminated string (no closing '\"' before the end of the file)");
        unsigned char ch = (unsigned char)jp->text[jp->p];
        if (ch == '"') {
            jp->p++;
            break;
        }
        if (ch == '\n')
            return jfail(jp, start, "unterminated string (the line ends before its closing '\"')");
        if (ch < 0x20)
            return jfail(jp, jp->p, "control character 0x%02x in string (write it as an escape, "
                         "e.g. \\t)", ch);
        if (ch == '\\') {
            if (!escape(jp, out))
                return false;
            continue;
        }
        g_string_append_c(out, (char)ch);
        jp->p++;
    }
    if (!g_utf8_validate(out->str, (gssize)out->len, NULL))
        return jfail(jp, start, "invalid UTF-8 in string");
    return true;
}

static size_t digits(const struct jparser *jp, size_t p)
{
    size_t n = 0;
    while (p + n < jp->len && g_ascii_isdigit(jp->text[p + n]))
        n++;
    return n;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static cJSON *number_token(struct jparser *jp)
{
    size_t start = jp->p, p = jp->p;
    if (jp->text[p] == '-')
        p++;
    size_t n = digits(jp, p);
    if (n == 0) {
        jfail(jp, start, "invalid number: expected a digit after '-'");
        return NULL;
    }
    if (jp->text[p] == '0' && n > 1) {
        jfail(jp, start, "invalid number: leading zeros are not allowed");
        return NULL;
    }
    p += n;
    if (p < jp->len && jp->text[p] == '.') {
        n = digits(jp, p + 1);
        if (n == 0) {
            jfail(jp, start, "invalid number: expected a digit after '.'");
            return NULL;
        }
        p += 1 + n;
    }
    if (p < jp->len && (jp->text[p] == 'e' || jp->text[p] == 'E')) {
        p++;
        if (p < jp->len && (jp->text[p] == '+' || jp->text[p] == '-'))
            p++;
        n = digits(jp, p);
        if (n == 0) {
            jfail(jp, start, "invalid number: expected a digit in the exponent");
            return NULL;
        }
        p += n;
    }
    if (p < jp->len && (g_ascii_isalpha(jp->text[p]) || jp->text[p] == '_')) {
        jfail(jp, start, "invalid number (a value with a unit, like \"10ms\", is a string: "
              "put it in double quotes)");
        return NULL;
    }
    char *tok = g_strndup(jp->text + start, p - start);
    double v = g_ascii_strtod(tok, NULL);
    g_free(tok);
    if (!isfinite(v)) {
        jfail(jp, start, "number out of range");
        return NULL;
    }
    jp->p = p;
    return cJSON_CreateNumber(v);
}

static cJSON *literal_token(struct jparser *jp)
{
    size_t start = jp->p, p = jp->p;
    while (p < jp->len && (g_ascii_isalnum(jp->text[p]) || jp->text[p] == '_'))
        p++;
    size_t n = p - start;
    const char *w = jp->text + start;
    if (n == 4 && memcmp(w, "true", 4) == 0) {
        jp->p = p;
        return cJSON_CreateTrue();
    }
    if (n == 5 && memcmp(w, "false", 5) == 0) {
        jp->p = p;
        return cJSON_CreateFalse();
    }
    if (n == 4 && memcmp(w, "null", 4) == 0) {
        jp->p = p;
        return cJSON_CreateNull();
    }
    jfail(jp, start, "invalid word '%.*s' (expected true, false or null; a string needs double quotes)",
          (int)(n > 32 ? 32 : n), w);
    return NULL;
}

static cJSON *value(struct jparser *jp, const char *expected);

/* Attach child to parent (as member key when parent is an object). */
static void attach(cJSON *parent, const char *key, cJSON *child)
{
    if (cJSON_IsObject(parent))
        cJSON_AddItemToObject(parent, key, child);
    else
        cJSON_AddItemToArray(parent, child);
}

/* The member of obj named key, if any; big objects get an index. */
static bool duplicate_key(cJSON *obj, GHashTable **index, int count, const char *key,
                          cJSON **first)
{
    if (count < 32) {
        *first = cJSON_GetObjectItemCaseSensitive(obj, key);
        return *first != NULL;
    }
    if (!*index) {
        *index = g_hash_table_new(g_str_hash, g_str_equal);
        for (cJSON *m = obj->child; m; m = m->next)
            g_hash_table_insert(*index, m->string, m);
    }
    *first = g_hash_table_lookup(*index, key);
    return *first != NULL;
}

static bool members(struct jparser *jp, cJSON *obj, size_t open)
{
    GHashTable *index = NULL;
    GString *key = g_string_new(NULL);
    bool ok = false;
    char buf[48];
    int count = 0;
    skip_ws(jp);
    if (peek(jp) == '}') {
        jp->p++;
        ok = true;
        goto out;
    }
    for (;;) {
        int ch = peek(jp);
        if (ch != '"') {
            if (ch == '}' && count > 0)
                jfail(jp, jp->p, "expected a key in double quotes after ',' (no trailing comma "
                      "before '}')");
            else if (ch == '\'')
                jfail(jp, jp->p, "expected a key in double quotes, found a single quote");
            else if (ch == '/')
                jfail(jp, jp->p, "comments are not allowed in JSON");
            else if (ch < 0)
                jfail(jp, jp->p, "unexpected end of the file: the object at %d:%d is not closed",
                      pos_at(jp, open).line, pos_at(jp, open).col);
            else
                jfail(jp, jp->p, "expected a key in double quotes%s, found %s",
                      count ? "" : " or '}'", found(jp, buf, sizeof buf));
            goto out;
        }
        size_t key_off = jp->p;
        struct scn_pos kpos = pos_at(jp, key_off);
        g_string_truncate(key, 0);
        if (!string_token(jp, key))
            goto out;
        cJSON *first;
        if (duplicate_key(obj, &index, count, key->str, &first)) {
            struct scn_node_pos *fp = g_hash_table_lookup(jp->pos, first);
            jfail(jp, key_off, "duplicate key '%s' (first at %d:%d)", key->str,
                  fp ? fp->key.line : 0, fp ? fp->key.col : 0);
            goto out;
        }
        skip_ws(jp);
        if (peek(jp) != ':') {
            jfail(jp, jp->p, "expected ':' after the key '%s', found %s", key->str,
                  found(jp, buf, sizeof buf));
            goto out;
        }
        jp->p++;
        skip_ws(jp);
        size_t voff = jp->p;
        struct scn_pos vpos = pos_at(jp, voff);
        cJSON *v = value(jp, "a value after ':'");
        if (!v)
            goto out;
        attach(obj, key->str, v);
        record(jp, v, kpos, vpos, voff);
        if (index)
            g_hash_table_insert(index, v->string, v);
        count++;
        skip_ws(jp);
        ch = peek(jp);
        if (ch == '}') {
            jp->p++;
            ok = true;
            goto out;
        }
        if (ch != ',') {
            if (ch < 0)
                jfail(jp, jp->p, "unexpected end of the file: the object at %d:%d is not closed",
                      pos_at(jp, open).line, pos_at(jp, open).col);
            else
                jfail(jp, jp->p, "expected ',' or '}' after the value of '%s', found %s", key->str,
                      found(jp, buf, sizeof buf));
            goto out;
        }
        jp->p++;
        skip_ws(jp);
    }
out:
    if (index)
        g_hash_table_destroy(index);
    g_string_free(key, TRUE);
    return ok;
}

static bool elements(struct jparser *jp, cJSON *arr, size_t open)
{
    char buf[48];
    skip_ws(jp);
    if (peek(jp) == ']') {
        jp->p++;
        return true;
    }
    for (int count = 0;; count++) {
        if (peek(jp) == ']')
            return jfail(jp, jp->p, "expected a value after ',' (no trailing comma before ']')");
        if (peek(jp) < 0)
            return jfail(jp, jp->p, "unexpected end of the file: the array at %d:%d is not closed",
                         pos_at(jp, open).line, pos_at(jp, open).col);
        size_t voff = jp->p;
        struct scn_pos vpos = pos_at(jp, voff);
        cJSON *v = value(jp, "a value");
        if (!v)
            return false;
        attach(arr, NULL, v);
        record(jp, v, vpos, vpos, voff);
        skip_ws(jp);
        int ch = peek(jp);
        if (ch == ']') {
            jp->p++;
            return true;
        }
        if (ch != ',') {
            if (ch < 0)
                return jfail(jp, jp->p, "unexpected end of the file: the array at %d:%d is not closed",
                             pos_at(jp, open).line, pos_at(jp, open).col);
            return jfail(jp, jp->p, "expected ',' or ']' after an array element, found %s",
                         found(jp, buf, sizeof buf));
        }
        jp->p++;
        skip_ws(jp);
    }
}

static cJSON *container(struct jparser *jp, bool is_object)
{
    size_t open = jp->p++;
    if (++jp->depth > MAX_DEPTH) {
        jfail(jp, open, "nesting deeper than %d levels", MAX_DEPTH);
        return NULL;
    }
    cJSON *node = is_object ? cJSON_CreateObject() : cJSON_CreateArray();
    bool ok = is_object ? members(jp, node, open) : elements(jp, node, open);
    jp->depth--;
    if (!ok) {
        cJSON_Delete(node);
        return NULL;
    }
    return node;
}

/* A value at jp->p (whitespace skipped); expected says what the message calls it. */
static cJSON *value(struct jparser *jp, const char *expected)
{
    char buf[48];
    int ch = peek(jp);
    if (ch == '{' || ch == '[')
        return container(jp, ch == '{');
    if (ch == '"') {
        GString *s = g_string_new(NULL);
        cJSON *node = string_token(jp, s) ? cJSON_CreateString(s->str) : NULL;
        g_string_free(s, TRUE);
        return node;
    }
    if (ch == '-' || (ch >= '0' && ch <= '9'))
        return number_token(jp);
    if (ch >= 0 && (g_ascii_isalpha((char)ch) || ch == '_'))
        return literal_token(jp);
    if (ch == '\'')
        jfail(jp, jp->p, "strings need double quotes, not single quotes");
    else if (ch == '/')
        jfail(jp, jp->p, "comments are not allowed in JSON");
    else if (ch < 0)
        jfail(jp, jp->p, "unexpected end of the file: expected %s", expected);
    else
        jfail(jp, jp->p, "expected %s (an object, array, string, number, true, false or null), "
              "found %s", expected, found(jp, buf, sizeof buf));
    return NULL;
}

cJSON *scn_json_parse(const char *text, size_t len, GHashTable *pos, struct scn_pos *epos,
                      char *msg, size_t msgsz)
{
    struct jparser jp = { .text = text, .len = len, .pos = pos, .msg = msg, .msgsz = msgsz };
    char buf[48];
    jp.p = bom_len(text, len);
    skip_ws(&jp);
    size_t voff = jp.p;
    struct scn_pos vpos = pos_at(&jp, voff);
    cJSON *root = value(&jp, "a JSON value");
    if (root) {
        record(&jp, root, vpos, vpos, voff);
        skip_ws(&jp);
        if (jp.p < jp.len) {
            jfail(&jp, jp.p, "unexpected %s after the end of the document", found(&jp, buf, sizeof buf));
            cJSON_Delete(root);
            root = NULL;
        }
    }
    if (!root) {
        *epos = pos_at(&jp, jp.err_off);
        return NULL;
    }
    return root;
}

/* ---- positions inside a string value ------------------------------------------------- */

/* Byte offset of (line, col) in text; len when past the end. */
static size_t offset_of(const char *text, size_t len, struct scn_pos pos)
{
    size_t p = bom_len(text, len);
    for (int line = 1; line < pos.line && p < len; p++)
        if (text[p] == '\n')
            line++;
    for (int col = 1; col < pos.col && p < len && text[p] != '\n';) {
        p++;
        if (p >= len || ((unsigned char)text[p] & 0xc0) != 0x80)
            col++;
    }
    return p;
}

/* How many bytes of decoded text a \u escape at p (on the backslash) stands for, and
 * how many source bytes it takes. */
static void unicode_sizes(const char *text, size_t len, size_t p, size_t *src, size_t *dec)
{
    struct jparser jp = { .text = text, .len = len };
    long cp = hex4(&jp, p + 2);
    *src = 6;
    if (cp >= 0xd800 && cp <= 0xdbff && p + 7 < len && text[p + 6] == '\\' && text[p + 7] == 'u') {
        *src = 12;
        *dec = 4;
    } else {
        *dec = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
    }
}

struct scn_pos scn_pos_in_string(const struct scenario *s, struct scn_pos start, size_t offset)
{
    if (!s || !s->text || start.line <= 0 || start.col <= 0)
        return start;
    const char *text = s->text;
    size_t len = strlen(text);
    size_t p = offset_of(text, len, start), decoded = 0;
    struct scn_pos pos = start;
    while (p < len && text[p] != '"' && text[p] != '\n') {
        size_t src, dec;
        int cols;
        if (text[p] == '\\' && p + 1 < len && text[p + 1] == 'u') {
            unicode_sizes(text, len, p, &src, &dec);
            cols = (int)src;
        } else if (text[p] == '\\') {
            src = 2;
            dec = 1;
            cols = 2;
        } else {
            src = 1;
            while (p + src < len && ((unsigned char)text[p + src] & 0xc0) == 0x80)
                src++;
            dec = src;
            cols = 1;
        }
        if (decoded + dec > offset)
            break;
        decoded += dec;
        p += src;
        pos.col += cols;
    }
    return pos;
}
