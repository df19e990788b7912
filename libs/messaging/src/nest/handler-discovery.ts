import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { EventHandler } from '../consumer';
import type { InboxTransaction } from '../inbox';
import { ON_EVENT } from './on-event.decorator';

/** Finds every @OnEvent method among the application's providers and controllers. */
@Injectable()
export class HandlerDiscovery {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  handlers<Tx extends InboxTransaction>(): Map<string, EventHandler<Tx>> {
    const handlers = new Map<string, EventHandler<Tx>>();
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    for (const wrapper of wrappers) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = instance[methodName] as (...args: unknown[]) => Promise<void>;
        const type = this.reflector.get<string | undefined>(ON_EVENT, method);
        if (!type) continue;
        if (handlers.has(type)) {
          throw new Error(`Two handlers for event type ${type}: one consumer has one handler per type`);
        }
        handlers.set(type, (event, context) => method.call(instance, event, context));
      }
    }
    return handlers;
  }
}
