/**
 * The receiver in a NestJS app (on its default Express platform), mounted each way the guide shows
 * (docs/frameworks/nestjs.md); the contract suite runs through each.
 *
 *   npx tsx examples/frameworks/nestjs/app.ts        # listens on PORT (default 3000)
 */
import 'reflect-metadata';
import {
  Controller,
  Inject,
  Module,
  Post,
  Req,
  RequestMethod,
  Res,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import { convercWebhooks, type ConvercWebhooks } from 'converc-webhooks';

/** The injection token of the receiver, for the controller and the middleware module. */
export const WEBHOOKS = 'CONVERC_WEBHOOKS';

@Module({})
export class AppModule {}

/** The right mount: in main.ts, before Nest's body parser. */
export async function createMountedInMain(webhooks: ConvercWebhooks): Promise<NestExpressApplication> {
  // #region main
  const app = await NestFactory.create<NestExpressApplication>(AppModule);
  // Nest adds its JSON parser when the app starts (app.init() or app.listen()), after this line:
  // the receiver reads the body itself, within its own limit, and every refusal reaches onError.
  app.use('/webhooks/converc', webhooks);
  // #endregion
  return app;
}

// #region controller
@Controller('webhooks')
export class ConvercWebhooksController {
  constructor(@Inject(WEBHOOKS) private readonly webhooks: ConvercWebhooks) {}

  // @Res() hands the response to the receiver: Nest sends nothing itself.
  @Post('converc')
  receive(@Req() req: Request, @Res() res: Response): void {
    this.webhooks(req, res);
  }
}
// #endregion

/** A controller module for a receiver: the controller above, given the receiver to call. */
function controllerModule(webhooks: ConvercWebhooks): DynamicModule {
  return { module: AppModule, controllers: [ConvercWebhooksController], providers: [{ provide: WEBHOOKS, useValue: webhooks }] };
}

/** The controller, behind Nest's parser: the receiver gets the parsed value. */
export function createWithController(webhooks: ConvercWebhooks): Promise<NestExpressApplication> {
  return NestFactory.create<NestExpressApplication>(controllerModule(webhooks));
}

/** The controller with `rawBody: true`: behind Nest's parser still, but the receiver gets the exact bytes. */
export async function createWithRawBody(webhooks: ConvercWebhooks): Promise<NestExpressApplication> {
  const AppModule = controllerModule(webhooks);
  // #region raw-body
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { rawBody: true });
  // #endregion
  return app;
}

// #region middleware-route
@Module({})
export class ConvercWebhooksModule implements NestModule {
  constructor(@Inject(WEBHOOKS) private readonly webhooks: ConvercWebhooks) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(this.webhooks).forRoutes({ path: 'webhooks/converc', method: RequestMethod.POST });
  }
}
// #endregion

/** The receiver as middleware, applied by Nest's MiddlewareConsumer to a route: after Nest's parser. */
export async function createWithMiddleware(
  webhooks: ConvercWebhooks,
  route: 'string' | 'path and method',
): Promise<NestExpressApplication> {
  @Module({})
  class StringRouteModule implements NestModule {
    configure(consumer: MiddlewareConsumer): void {
      // #region middleware-string
      consumer.apply(webhooks).forRoutes('webhooks/converc');
      // #endregion
    }
  }
  const module: DynamicModule =
    route === 'string'
      ? { module: StringRouteModule }
      : { module: ConvercWebhooksModule, providers: [{ provide: WEBHOOKS, useValue: webhooks }] };
  return NestFactory.create<NestExpressApplication>(module);
}

/** The guide's app: the receiver mounted in main.ts, before Nest's parser. */
export async function createApp(log: (line: string) => void = console.log): Promise<{ app: NestExpressApplication; webhooks: ConvercWebhooks }> {
  const webhooks = convercWebhooks()
    .on('call.ended', (event) => {
      log(`call ${event.data.call.id} ended at ${event.data.call.endedAt}`);
    })
    .onError((error) => {
      log(`rejected or failed (${error.code})`);
    });
  return { app: await createMountedInMain(webhooks), webhooks };
}

if (require.main === module) {
  void createApp().then(async ({ app }) => {
    const port = Number(process.env.PORT ?? 3000);
    await app.listen(port, '127.0.0.1');
    console.log(`listening on http://127.0.0.1:${port}/webhooks/converc`);
  });
}
