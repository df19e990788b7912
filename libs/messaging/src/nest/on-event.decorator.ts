import { SetMetadata } from '@nestjs/common';

export const ON_EVENT = 'custody:on-event';

/**
 * Marks a provider method as the handler of an integration event type. The method receives
 * the decoded event and a HandlerContext whose `tx` it must use for its effects (so that the
 * effects and the inbox entry commit together):
 *
 *   @OnEvent('TransferRequested')
 *   async onRequested(event: DecodedEvent, { tx }: HandlerContext<PostgresTransaction>) { … }
 */
export const OnEvent = (type: string): MethodDecorator => SetMetadata(ON_EVENT, type);
