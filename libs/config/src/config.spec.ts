import { IsInt, IsString, Max, Min, MinLength } from 'class-validator';
import { InvalidConfigurationError, loadConfig } from './config';

class ExampleConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3000;

  @IsString()
  @MinLength(1)
  KAFKA_BROKERS = '127.0.0.1:9092';
}

describe('configuration from the environment', () => {
  it('takes defaults where a variable is not set', () => {
    expect(loadConfig(ExampleConfig, {})).toEqual(Object.assign(new ExampleConfig(), { PORT: 3000 }));
  });

  it('converts and validates what is set', () => {
    expect(loadConfig(ExampleConfig, { PORT: '3101' }).PORT).toBe(3101);
  });

  it('names every invalid variable', () => {
    let caught: unknown;
    try {
      loadConfig(ExampleConfig, { PORT: 'eighty', KAFKA_BROKERS: '' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidConfigurationError);
    const problems = (caught as InvalidConfigurationError).problems.map((p) => p.variable).sort();
    expect(problems).toEqual(['KAFKA_BROKERS', 'PORT']);
    expect((caught as Error).message).toMatch(/PORT: /);
  });
});
