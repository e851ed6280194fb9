import { describe, expect, it } from 'vitest';
import { JsonPathError, parseJsonPath, queryJsonPath } from './jsonPath.js';

const doc = { store: { book: [{ title: 'a', price: 8 }, { title: 'b', price: 12, isbn: 'x' }, { title: 'c', price: 9 }], bicycle: { price: 20 } }, 'odd key': 1 };

describe('JSON paths, as jsonpath2 reads them', () => {
  it.each([
    ['$.store.book[0].title', ['a']],
    ['$.store.book[-1].title', ['c']],
    ['$.store.book[0,2].title', ['a', 'c']],
    ['$.store.book[1:].title', ['b', 'c']],
    ['$.store.book[::2].title', ['a', 'c']],
    ["$['odd key']", [1]],
    ['$.store.book[*].price', [8, 12, 9]],
    ['$..price', [8, 12, 9, 20]],
    ['$.store.book.*[?(@.isbn)].title', ['b']],
    ['$.store.book.*[?(@.price < 10 and @.title != "c")].title', ['a']],
    ['$.store.book.*[?(@.price >= 12 or @.title = "a")].title', ['a', 'b']],
    ['$.store.book.*[?(not @.isbn)].title', ['a', 'c']],
    ['store.bicycle.price', [20]],
    ['$.nothing.here', []],
    // a filter keeps or drops the node it is applied to: on the list itself, @.isbn is nothing
    ['$.store.book[?(@.isbn)]', []],
  ])('%s', (path, found) => expect(queryJsonPath(parseJsonPath(path), doc)).toEqual(found));

  it.each(['', '$.a[?(', '$.a[', '$.', '$ x'])('refuses %j', (path) => expect(() => parseJsonPath(path)).toThrow(JsonPathError));
});
