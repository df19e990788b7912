import { IsInt, IsString, Min, validateSync } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { VALIDATOR_OPTIONS } from './validate';

// validate.ts installs the cache on import (metadata-cache.ts): these classes are declared after it.
class Base {
  @IsString()
  name!: string;
}

class Child extends Base {
  @IsInt()
  @Min(1)
  count!: number;
}

const problems = (type: new () => object, plain: object) =>
  validateSync(plainToInstance(type, plain), VALIDATOR_OPTIONS).map((e) => `${e.property}:${Object.keys(e.constraints ?? {}).join(',')}`).sort();

describe('the validation metadata cache', () => {
  it('validates a class and its inherited fields as class-validator does, call after call', () => {
    for (let i = 0; i < 3; i++) {
      expect(problems(Child, { name: 'a', count: 2 })).toEqual([]);
      expect(problems(Child, { name: 3, count: 0 })).toEqual(['count:min', 'name:isString']);
      expect(problems(Child, { name: 'a', count: 2, extra: true })).toEqual(['extra:whitelistValidation']);
      expect(problems(Base, { name: 'a', count: 2 })).toEqual(['count:whitelistValidation']);
    }
  });

  it('sees a class declared after a lookup was cached, and new metadata on an ancestor', () => {
    expect(problems(Base, { name: 'a' })).toEqual([]);
    class Later extends Base {
      @IsString()
      label!: string;
    }
    expect(problems(Later, { name: 'a', label: 'b' })).toEqual([]);
    expect(problems(Later, { name: 'a', label: 1 })).toEqual(['label:isString']);
    // A decorator applied to the ancestor afterwards reaches both the ancestor and the class.
    IsInt()(Base.prototype, 'version');
    expect(problems(Base, { name: 'a' })).toEqual(['version:isInt']);
    expect(problems(Later, { name: 'a', label: 'b' })).toEqual(['version:isInt']);
  });
});
