import { BoundedMap } from './bounded-map';

describe(BoundedMap.name, () => {
  it('drops the entry set longest ago to stay within its limit', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2).set('a', 3).set('c', 4);

    expect([...map]).toEqual([
      ['a', 3],
      ['c', 4],
    ]);
  });
});
